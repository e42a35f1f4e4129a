package dispatch

import "fmt"

// A Type is a data type a protocol can be implemented for: the type an
// Elixir impl_for clause tests.
type Type int32

// The data types of the model. Enumerable (NewEnumerable) is implemented
// for List, Map, MapSet, Range and Function, not for Tuple or Integer.
const (
	List Type = iota
	Map
	MapSet
	Range
	Function
	Tuple
	Integer
	numTypes
)

var typeNames = [numTypes]string{"List", "Map", "MapSet", "Range", "Function", "Tuple", "Integer"}

// String returns the type's Elixir name, such as "List".
func (t Type) String() string {
	if t >= 0 && t < numTypes {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", int32(t))
}

// Types returns every data type of the model, in order.
func Types() []Type {
	ts := make([]Type, numTypes)
	for i := range ts {
		ts[i] = Type(i)
	}
	return ts
}

// A Value is a term as far as dispatch cares: its type and its number of
// elements (a list's length, a map's size).
type Value struct {
	Type Type
	Len  int
}

// String formats the value for errors, such as "List of 8 elements".
func (v Value) String() string { return fmt.Sprintf("%s of %d elements", v.Type, v.Len) }
