// Command alloy-syntax checks Alloy configuration files with Alloy's own parser and evaluator
// (the github.com/grafana/alloy/syntax module): every file must parse, and every regular
// expression the log pipeline and relabel rules use (`expression` in stage blocks, `regex` in
// rule blocks) must evaluate to a string that Go's RE2 compiles, as Alloy will at run time. On
// success it prints, per file, the component blocks it declares (`file: block label`) and the
// number of expressions checked (`file: N regular expressions`).
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/grafana/alloy/syntax/ast"
	"github.com/grafana/alloy/syntax/parser"
	"github.com/grafana/alloy/syntax/vm"
)

// regexAttribute says whether an attribute of a block holds a regular expression.
func regexAttribute(block, attribute string) bool {
	return (strings.HasPrefix(block, "stage.") && attribute == "expression") ||
		(block == "rule" && attribute == "regex")
}

// checkRegexes walks a block body and returns the number of expressions compiled and the errors.
func checkRegexes(name string, block string, body ast.Body) (int, []string) {
	count := 0
	var problems []string
	for _, stmt := range body {
		switch s := stmt.(type) {
		case *ast.AttributeStmt:
			if !regexAttribute(block, s.Name.Name) {
				continue
			}
			var value string
			if err := vm.New(s.Value).Evaluate(nil, &value); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s.%s: %v", name, block, s.Name.Name, err))
				continue
			}
			if _, err := regexp.Compile(value); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s.%s: %v", name, block, s.Name.Name, err))
				continue
			}
			count++
		case *ast.BlockStmt:
			n, p := checkRegexes(name, strings.Join(s.Name, "."), s.Body)
			count += n
			problems = append(problems, p...)
		}
	}
	return count, problems
}

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
		count := 0
		for _, stmt := range file.Body {
			block, ok := stmt.(*ast.BlockStmt)
			if !ok {
				continue
			}
			fmt.Printf("%s: %s %s\n", name, strings.Join(block.Name, "."), block.Label)
			n, problems := checkRegexes(name, strings.Join(block.Name, "."), block.Body)
			count += n
			for _, p := range problems {
				fmt.Fprintln(os.Stderr, p)
				failed = true
			}
		}
		fmt.Printf("%s: %d regular expressions\n", name, count)
	}
	if failed {
		os.Exit(1)
	}
}
