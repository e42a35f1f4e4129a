package model_test

import (
	"fmt"

	"github.com/benchdb/benchdb/model"
)

func ExampleCosts_CriticalPause() {
	// An Erlang system: 5µs per event, 10ns per scanned message, one
	// code-server call per event, 10,000 events a second.
	c, _ := model.ParseCosts("s0=5us,c=10ns,k=1")
	n, _ := c.TippingQueue(10000)
	t, _ := c.CriticalPause(10000)
	fmt.Printf("n* = %.0f messages, T* = %v\n", n, t)

	_, finite := model.Costs{S0: 5e-6, C: 10e-9, K: 0}.CriticalPause(10000)
	fmt.Println("k=0 has a finite T*:", finite)
	// Output:
	// n* = 9500 messages, T* = 950ms
	// k=0 has a finite T*: false
}
