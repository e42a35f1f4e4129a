//go:build !unix

package outfile

const syscallNonblock = 0

func isNoReader(error) bool { return false }
