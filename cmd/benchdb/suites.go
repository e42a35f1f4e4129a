package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/beam"
	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/suites"
)

func suitesCommand() *cli.Command {
	return &cli.Command{
		Name:  "suites",
		Usage: "list the built-in benchmark suites",
		Description: `Suites lists the built-in suites: each one's name, what it measures, its Go
package (which "go test -bench" and "benchdb run" run) and its leaf
benchmarks. Pick suites for a run with "benchdb run --suite NAME".

The last one, beam, is the BEAM harness: Erlang code that "benchdb run
--suite beam" runs with erl (not go test; skipped with a message where erl
is absent). Its package is the Go driver, its results are stored under the
Go receive suite's package, and its entry says "requires": "erl".

JSON: [{"name": "...", "doc": "...", "package": "...", "benchmarks": ["..."],
"requires": "erl" (the beam entry only)}]

Examples:

   benchdb suites
   benchdb suites --format json | jq -r '.[].package'
   benchdb run --suite receive                   # run one of them`,
		Flags:  []cli.Flag{formatFlag("text", "json")},
		Action: suitesAction,
	}
}

// suiteJSON is one element of `benchdb suites --format json`.
type suiteJSON struct {
	Name       string   `json:"name"`
	Doc        string   `json:"doc"`
	Package    string   `json:"package"`
	Benchmarks []string `json:"benchmarks"`
	// Requires names the program the suite needs besides go: "erl" for
	// the BEAM harness.
	Requires string `json:"requires,omitempty"`
}

// beamSuiteJSON is the suites listing's entry for the BEAM harness: not a
// Go package in the suites registry, but run by benchdb run --suite beam.
func beamSuiteJSON() suiteJSON {
	doc := "the BEAM harness (beam/harness/benchdb_beam.erl, run with erl): an untagged receive " +
		"(OTP 20's code_server:call) against a reference-tagged one behind D queued messages, " +
		"on-heap and off-heap queues; benchdb scenario --runtime beam runs the router " +
		"(BenchmarkScenario/runtime=beam/...)"
	if _, err := beam.Find(); err != nil {
		doc += " [" + err.Error() + ": benchdb run skips it]"
	}
	return suiteJSON{Name: beamSuite, Doc: doc, Package: beamPackage,
		Benchmarks: beam.Benchmarks(beam.ReceiveOptions{}), Requires: "erl"}
}

// beamPackage is the Go driver of the BEAM harness.
const beamPackage = "github.com/benchdb/benchdb/beam"

func suitesAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("suites: unexpected argument %q", c.Args().First())
	}
	var out []suiteJSON
	for _, name := range suites.Names() {
		s, err := suites.Lookup(name)
		if err != nil {
			return err
		}
		j := suiteJSON{Name: name, Doc: s.Doc(), Package: s.ImportPath(), Benchmarks: []string{}}
		for _, b := range s.Benchmarks() {
			j.Benchmarks = append(j.Benchmarks, b.Name)
		}
		out = append(out, j)
	}
	out = append(out, beamSuiteJSON())
	if c.String("format") == "json" {
		if out == nil {
			out = []suiteJSON{}
		}
		return encodeJSON(c.App.Writer, out)
	}
	w := c.App.Writer
	for i, s := range out {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s\n  %s\n  %s", s.Name, s.Package, s.Doc, plural(len(s.Benchmarks), "benchmark"))
		if s.Requires != "" {
			fmt.Fprintf(w, " (with %s)", s.Requires)
		}
		fmt.Fprintln(w, ":")
		for _, b := range s.Benchmarks {
			fmt.Fprintf(w, "    %s\n", b)
		}
	}
	return nil
}

func profilesCommand() *cli.Command {
	return &cli.Command{
		Name:  "profiles",
		Usage: "list the version profiles and the choices each makes",
		Description: `Profiles lists the version profiles: each bundles the choices one runtime
version made (how a worker is picked, how the protocol call is dispatched,
how the code server is asked, how the reply is received), the facts from
the Elixir and OTP sources that follow from them, and what it models.

Benchmarks with a profile=P level run once per profile; "benchdb run
--profile P" restricts them. Profiles are data (profiles/profiles.json): the
columns below are the profiles' fields, so a new profile or a new axis
shows here without a change to the command.

JSON: the profiles as profiles/profiles.json holds them:
[{"name": "...", "doc": "...", "selection": "...", ...}]

Examples:

   benchdb profiles
   benchdb profiles --format json | jq -r '.[].name'
   benchdb run --profile elixir-1.5.1 --profile roundrobin`,
		Flags:  []cli.Flag{formatFlag("text", "json")},
		Action: profilesAction,
	}
}

func profilesAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("profiles: unexpected argument %q", c.Args().First())
	}
	ps := profiles.All()
	if c.String("format") == "json" {
		if ps == nil {
			ps = []profiles.Profile{}
		}
		return encodeJSON(c.App.Writer, ps)
	}
	// The columns come from each profile's JSON form, in field order, so
	// that they follow the data.
	var cols []string
	var rows []map[string]string
	for _, p := range ps {
		keys, vals, err := jsonFields(p)
		if err != nil {
			return fmt.Errorf("profile %s: %w", p.Name, err)
		}
		for _, k := range keys {
			if !slices.Contains(cols, k) {
				cols = append(cols, k)
			}
		}
		rows = append(rows, vals)
	}
	// The doc is long: it goes on a line of its own below the table row.
	var tableCols []string
	for _, k := range cols {
		if k != "doc" {
			tableCols = append(tableCols, k)
		}
	}
	w := c.App.Writer
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(tableCols, "\t"))
	for _, row := range rows {
		vals := make([]string, len(tableCols))
		for i, k := range tableCols {
			vals[i] = cmp.Or(row[k], "-")
		}
		fmt.Fprintln(tw, strings.Join(vals, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if slices.Contains(cols, "doc") {
		fmt.Fprintln(w)
		for _, row := range rows {
			fmt.Fprintf(w, "%s: %s\n", row["name"], row["doc"])
		}
	}
	return nil
}

// jsonFields returns the top-level fields of v's JSON object, in order,
// with their values as text.
func jsonFields(v any) (keys []string, vals map[string]string, err error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, err
	}
	vals = map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, err
		}
		keys = append(keys, key)
		vals[key] = jsonText(raw)
	}
	return keys, vals, nil
}

// jsonText renders a JSON value for a table cell: strings unquoted, other
// values as JSON.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			return strconv.FormatInt(i, 10)
		}
		return n.String()
	}
	return string(raw)
}
