package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/web"
)

// codePattern is what a message code looks like: dotted lower-case words.
var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// verbs counts the formatting verbs of a message, which its translations
// must have too (%% is no verb).
func verbs(s string) int {
	return strings.Count(s, "%") - 2*strings.Count(s, "%%")
}

// message is one coded message of the code base: where, its code, and its
// English text.
type message struct {
	pos     string
	code    string
	english string
}

// codedMessages finds every message the code base builds with a code:
// apperr.New, Wrap, Field, InvalidFields, Fields.Add and Fields.Err. A code
// or an English text that is not a literal is reported as a problem: a
// message a person reads is written out where it is made.
func codedMessages(t *testing.T) (found []message, problems []string) {
	t.Helper()
	fset := token.NewFileSet()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "web" || d.Name() == "migrations") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			codeAt, textAt := -1, -1
			pkg, _ := sel.X.(*ast.Ident)
			switch {
			case pkg != nil && pkg.Name == "apperr" && sel.Sel.Name == "New":
				codeAt, textAt = 1, 2
			case pkg != nil && pkg.Name == "apperr" && sel.Sel.Name == "Wrap":
				codeAt, textAt = 2, 3
			case pkg != nil && pkg.Name == "apperr" && (sel.Sel.Name == "Field"):
				codeAt, textAt = 1, 2
			case pkg != nil && pkg.Name == "apperr" && sel.Sel.Name == "InvalidFields":
				codeAt, textAt = 0, 1
			case sel.Sel.Name == "Add" && len(call.Args) >= 3 && isString(call.Args[1]) && path != filepath.Join(root, "pkg", "apperr", "apperr.go"):
				codeAt, textAt = 1, 2
			case sel.Sel.Name == "Err" && len(call.Args) == 2 && isString(call.Args[0]) && path != filepath.Join(root, "pkg", "apperr", "apperr.go"):
				codeAt, textAt = 0, 1
			default:
				return true
			}
			if len(call.Args) <= textAt {
				return true
			}
			pos := fset.Position(call.Pos()).String()
			code, ok1 := literal(call.Args[codeAt])
			text, ok2 := literal(call.Args[textAt])
			if !ok1 || !ok2 {
				problems = append(problems, pos+": the code and the English text of a message must be literals")
				return true
			}
			if !codePattern.MatchString(code) {
				problems = append(problems, pos+": "+strconv.Quote(code)+" is not a message code (dotted lower-case words)")
				return true
			}
			found = append(found, message{pos: pos, code: code, english: text})
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found, problems
}

func isString(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

func literal(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestEveryMessageIsSaidInFrenchAndEnglish: every coded message has its
// English text where it is made and a French one in the catalogs, with the
// same parameters; one code says one thing wherever it is used.
func TestEveryMessageIsSaidInFrenchAndEnglish(t *testing.T) {
	catalog, err := i18n.Load(web.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	found, problems := codedMessages(t)
	for _, p := range problems {
		t.Error(p)
	}
	if len(found) < 100 {
		t.Fatalf("found only %d coded messages: is the scan reading the code base?", len(found))
	}
	english := map[string]message{}
	for _, m := range found {
		if m.english == "" {
			t.Errorf("%s: %s has no English text", m.pos, m.code)
		}
		if first, seen := english[m.code]; seen && verbs(first.english) != verbs(m.english) {
			t.Errorf("%s: %s takes %d parameters here and %d at %s", m.pos, m.code, verbs(m.english), verbs(first.english), first.pos)
		}
		english[m.code] = m
		fr, ok := catalog.Lookup("fr", "err."+m.code)
		switch {
		case !ok:
			t.Errorf("%s: %s has no French text (err.%s in web/i18n/errors.fr.json)", m.pos, m.code, m.code)
		case verbs(fr) != verbs(m.english):
			t.Errorf("%s: %s has %d parameters in English and %d in French", m.pos, m.code, verbs(m.english), verbs(fr))
		}
	}
	for _, key := range catalog.Keys("fr") {
		if code, ok := strings.CutPrefix(key, "err."); ok {
			if _, used := english[code]; !used && !strings.HasPrefix(code, "http.") {
				t.Errorf("web/i18n/errors.fr.json: %s is said by no code", key)
			}
		}
	}
}
