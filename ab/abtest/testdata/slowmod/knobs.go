package slow

// Iters is the work of BenchmarkWork; commits change it.
const Iters = 2000

// Fail makes BenchmarkWork fail, Panic makes it panic.
const (
	Fail  = false
	Panic = false
)
