package slowmod

import "testing"

var sink int

func BenchmarkWork(b *testing.B) {
	b.Run("kind=hash", func(b *testing.B) {
		var x uint64 = 1
		for b.Loop() {
			for r := 0; r < Reps; r++ {
				x = Hash(x)
			}
		}
		sink += int(x & 1)
	})
	b.Run("kind=copy", func(b *testing.B) {
		src, dst := make([]byte, 16<<10), make([]byte, 16<<10)
		for b.Loop() {
			for r := 0; r < Reps; r++ {
				sink += Copy(dst, src)
			}
		}
	})
	b.Run("kind=map", func(b *testing.B) {
		m := make(map[int]int, 4096)
		for i := 0; i < 4096; i++ {
			m[i] = i
		}
		for b.Loop() {
			for r := 0; r < Reps; r++ {
				sink += Lookup(m, 256)
			}
		}
	})
	b.Run("kind=alloc", func(b *testing.B) {
		for b.Loop() {
			for r := 0; r < Reps; r++ {
				sink += Alloc(16)
			}
		}
	})
	b.Run("kind=sort", func(b *testing.B) {
		src := make([]int, 512)
		x := uint64(7)
		for i := range src {
			x = Hash(x)
			src[i] = int(x % 100000)
		}
		buf := make([]int, len(src))
		for b.Loop() {
			for r := 0; r < Reps; r++ {
				sink += Sort(buf, src)
			}
		}
	})
}
