package slow

import "testing"

func BenchmarkWork(b *testing.B) {
	if Fail {
		b.Fatal("broken on purpose")
	}
	if Panic {
		panic("boom on purpose")
	}
	for b.Loop() {
		Sink += Work(Iters)
	}
}

func BenchmarkFixed(b *testing.B) {
	for b.Loop() {
		Sink += Work(1000)
	}
}
