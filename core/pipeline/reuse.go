package pipeline

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Compile decodes the YAML tree a second time with ${VARIABLE}
// substitution. A subtree holding no "$" decodes exactly as Parse decoded
// it (substitution only touches strings with a "$", and Parse reported no
// problem), so Compile reuses Parse's result for it: whole documents, whole
// steps, and a step's fields one by one. The outcome — values, problems and
// their order — is the same as a full second walk; TestReuseMatchesFullWalk
// and FuzzCompileReuse check it.

// fullWalk turns reuse off (tests compare both ways).
var fullWalk = false

// maxCleanNodes bounds the nodes clean visits; past it a subtree counts as
// holding a "$" (it is then decoded, as before).
const maxCleanNodes = 1 << 12

// clean reports whether no scalar under n (keys, values, through aliases)
// holds a "$".
func clean(n *node) bool {
	budget := maxCleanNodes
	return cleanWalk(n, &budget, 0)
}

func cleanWalk(n *node, budget *int, depth int) bool {
	for ; n != nil; depth++ {
		if *budget--; *budget < 0 || depth > maxDepth {
			return false
		}
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
			continue
		case yaml.ScalarNode:
			return strings.IndexByte(n.Value, '$') < 0
		}
		for _, c := range n.Content {
			if !cleanWalk(c, budget, depth+1) {
				return false
			}
		}
		return true
	}
	return true
}

// baseAt returns l[i], or nil past its end.
func baseAt[T any](l []*T, i int) *T {
	if i < len(l) {
		return l[i]
	}
	return nil
}
