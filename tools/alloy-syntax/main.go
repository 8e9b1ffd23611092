// Command alloy-syntax parses Alloy configuration files with Alloy's own parser (the
// github.com/grafana/alloy/syntax module) and reports every syntax error with its position. On
// success it prints the component blocks each file declares, one `file: block label` per line.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/grafana/alloy/syntax/ast"
	"github.com/grafana/alloy/syntax/parser"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: alloy-syntax FILE...")
		os.Exit(2)
	}
	failed := false
	for _, name := range os.Args[1:] {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		file, err := parser.ParseFile(name, data)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
			continue
		}
		for _, stmt := range file.Body {
			if block, ok := stmt.(*ast.BlockStmt); ok {
				fmt.Printf("%s: %s %s\n", name, strings.Join(block.Name, "."), block.Label)
			}
		}
	}
	if failed {
		os.Exit(1)
	}
}
