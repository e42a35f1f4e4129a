package beam

import "strings"

// cpuid executes the CPUID instruction (cpuid_amd64.s).
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// brandString returns the processor's brand string from CPUID leaves
// 0x80000002 to 0x80000004, as Go's testing package reports it on amd64:
// leading spaces and everything from the first NUL byte removed, trailing
// spaces kept. It returns "" where the leaves are missing.
func brandString() string {
	if max, _, _, _ := cpuid(0x80000000, 0); max < 0x80000004 {
		return ""
	}
	var b []byte
	for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
		a, bx, c, d := cpuid(leaf, 0)
		for _, r := range []uint32{a, bx, c, d} {
			b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
	}
	s := strings.TrimLeft(string(b), " ")
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}
