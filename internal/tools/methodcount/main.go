// Command methodcount is a lint check (make lint): no type in the module
// has more than 20 exported methods and no interface more than 8 methods,
// so that contracts stay small enough to read, fake and test against.
//
// A type's count is the exported methods declared on it (on T or *T);
// methods promoted from embedded fields are counted on the type that
// declares them; methods a type has because it implements an allowed
// interface (the implementation of core.Store's accessors) are not
// counted on it. An interface's count is its full method set, embedded
// interfaces included. Types declared in generated files ("// Code
// generated ... DO NOT EDIT.") are left out. It prints each offender with
// its count and file:line and exits 1 when there is one.
//
// Usage: methodcount [packages] (default ./...).
package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Limits of the check.
const (
	maxMethods   = 20 // exported methods of a type
	maxInterface = 8  // methods of an interface
)

// allowed are the interfaces that may be larger, by package path and name.
var allowed = map[string]string{
	// core.Store is the list of entity stores (one accessor per entity),
	// not a contract to implement method by method.
	"github.com/drover-ci/drover/core.Store": "the list of entity stores",
}

// Offender is a type over its limit.
type Offender struct {
	Pos   token.Position
	Name  string // package path and type name
	Kind  string // "type" or "interface"
	Count int
	Limit int
}

func (o Offender) String() string {
	return fmt.Sprintf("%s:%d: %s %s has %d methods (limit %d)", o.Pos.Filename, o.Pos.Line, o.Kind, o.Name, o.Count, o.Limit)
}

func main() {
	patterns := os.Args[1:]
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	offenders, err := Check(".", patterns...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "methodcount:", err)
		os.Exit(2)
	}
	wd, _ := os.Getwd()
	for _, o := range offenders {
		if rel, err := filepath.Rel(wd, o.Pos.Filename); err == nil {
			o.Pos.Filename = rel
		}
		fmt.Println(o)
	}
	if len(offenders) > 0 {
		os.Exit(1)
	}
}

// Check loads the packages matching patterns (tests included) from dir
// and returns the types over their limits, sorted by position.
func Check(dir string, patterns ...string) ([]Offender, error) {
	cfg := &packages.Config{
		Mode:  packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedFiles,
		Dir:   dir,
		Tests: true,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		return nil, fmt.Errorf("%d package errors", n)
	}
	exempt := allowedInterfaces(pkgs)
	seen := map[string]bool{}
	var out []Offender
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			if ast.IsGenerated(f) {
				continue
			}
			for _, o := range checkFile(p, f, exempt) {
				if key := o.Pos.String() + o.Name; !seen[key] {
					seen[key] = true
					out = append(out, o)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pos.Filename != out[j].Pos.Filename {
			return out[i].Pos.Filename < out[j].Pos.Filename
		}
		return out[i].Pos.Line < out[j].Pos.Line
	})
	return out, nil
}

// allowedInterfaces finds the allowed interfaces among the loaded
// packages.
func allowedInterfaces(pkgs []*packages.Package) []*types.Interface {
	var out []*types.Interface
	found := map[string]bool{}
	for _, p := range pkgs {
		for name := range allowed {
			if found[name] {
				continue
			}
			dot := strings.LastIndex(name, ".")
			if p.Types == nil || p.Types.Path() != name[:dot] {
				continue
			}
			if obj, ok := p.Types.Scope().Lookup(name[dot+1:]).(*types.TypeName); ok {
				if iface, ok := obj.Type().Underlying().(*types.Interface); ok {
					out = append(out, iface)
					found[name] = true
				}
			}
		}
	}
	return out
}

// checkFile checks the named types declared in f.
func checkFile(p *packages.Package, f *ast.File, exempt []*types.Interface) []Offender {
	var out []Offender
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.TYPE {
			continue
		}
		for _, spec := range gen.Specs {
			obj, ok := p.TypesInfo.Defs[spec.(*ast.TypeSpec).Name].(*types.TypeName)
			if !ok || obj.IsAlias() {
				continue
			}
			if o, over := measure(obj, exempt); over {
				o.Pos = p.Fset.Position(obj.Pos())
				out = append(out, o)
			}
		}
	}
	return out
}

// measure counts a named type's methods and says whether it is over.
// A concrete type's methods that implement one of the exempt interfaces
// are not counted.
func measure(obj *types.TypeName, exempt []*types.Interface) (Offender, bool) {
	named, ok := obj.Type().(*types.Named)
	if !ok {
		return Offender{}, false
	}
	full := obj.Pkg().Path() + "." + obj.Name()
	if iface, ok := named.Underlying().(*types.Interface); ok {
		if _, ok := allowed[full]; ok {
			return Offender{}, false
		}
		n := iface.NumMethods()
		return Offender{Name: full, Kind: "interface", Count: n, Limit: maxInterface}, n > maxInterface
	}
	skip := map[string]bool{}
	for _, iface := range exempt {
		if types.Implements(types.NewPointer(named), iface) {
			for i := range iface.NumMethods() {
				skip[iface.Method(i).Name()] = true
			}
		}
	}
	n := 0
	for i := range named.NumMethods() {
		if m := named.Method(i); m.Exported() && !skip[m.Name()] {
			n++
		}
	}
	return Offender{Name: full, Kind: "type", Count: n, Limit: maxMethods}, n > maxMethods
}
