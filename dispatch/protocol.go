package dispatch

import (
	"fmt"
)

// An Impl is a protocol's implementation for one data type: the module
// Elixir would call Protocol.Type, and its count function.
type Impl struct {
	Type Type
	// Module is the implementation module's name, such as
	// "Enumerable.List".
	Module string
	// Count is the implementation's count: the number of elements and
	// true when the type knows it in O(1) (Elixir's {:ok, n}), or false
	// when the caller has to walk the value ({:error, module}), as for a
	// list.
	Count func(Value) (int, bool)
}

// A Protocol is a named set of implementations, one per data type. It is
// immutable once made and safe for concurrent use.
type Protocol struct {
	name  string
	impls [numTypes]*Impl
}

// NewProtocol returns the protocol name with the given implementations.
// Each Impl with an empty Module is named name.Type. It returns an error
// for an empty name, a type outside Types, a type given twice or a nil
// Count.
func NewProtocol(name string, impls ...Impl) (*Protocol, error) {
	if name == "" {
		return nil, fmt.Errorf("new protocol: empty name")
	}
	p := &Protocol{name: name}
	for _, im := range impls {
		if im.Type < 0 || im.Type >= numTypes {
			return nil, fmt.Errorf("new protocol %s: unknown type %v", name, im.Type)
		}
		if p.impls[im.Type] != nil {
			return nil, fmt.Errorf("new protocol %s: type %v implemented twice", name, im.Type)
		}
		if im.Count == nil {
			return nil, fmt.Errorf("new protocol %s: implementation for %v has no Count", name, im.Type)
		}
		if im.Module == "" {
			im.Module = name + "." + im.Type.String()
		}
		p.impls[im.Type] = &im
	}
	return p, nil
}

// NewEnumerable returns Elixir's Enumerable protocol as of 1.5, as far as
// count goes: a list does not know its length ({:error, Enumerable.List},
// so Enum walks it), the other implemented types do.
func NewEnumerable() *Protocol {
	known := func(v Value) (int, bool) { return v.Len, true }
	p, err := NewProtocol("Enumerable",
		Impl{Type: List, Count: func(Value) (int, bool) { return 0, false }},
		Impl{Type: Map, Count: known},
		Impl{Type: MapSet, Count: known},
		Impl{Type: Range, Count: known},
		Impl{Type: Function, Count: func(Value) (int, bool) { return 0, false }},
	)
	if err != nil {
		panic(err) // the table above is fixed
	}
	return p
}

// Name returns the protocol's name, such as "Enumerable".
func (p *Protocol) Name() string { return p.name }

// Impl returns the implementation for t, or nil if there is none. It is
// the consolidated dispatch: a table lookup.
func (p *Protocol) Impl(t Type) *Impl {
	if t < 0 || t >= numTypes {
		return nil
	}
	return p.impls[t]
}

// Module returns the name of the module an unconsolidated dispatch looks
// for when given a value of type t, whether or not it exists:
// "Enumerable.Tuple" for a tuple.
func (p *Protocol) Module(t Type) string { return p.name + "." + t.String() }

// Modules returns the names of the protocol's implementation modules, in
// type order: the code path a CodeServer needs to load them.
func (p *Protocol) Modules() []string {
	var ms []string
	for _, im := range p.impls {
		if im != nil {
			ms = append(ms, im.Module)
		}
	}
	return ms
}

// An UndefinedError says that a protocol has no implementation for a
// value's type, like Elixir's Protocol.UndefinedError.
type UndefinedError struct {
	Protocol string
	Value    Value
}

func (e *UndefinedError) Error() string {
	return fmt.Sprintf("protocol %s not implemented for %v", e.Protocol, e.Value)
}
