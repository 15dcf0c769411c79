// Package fastyaml reads the plain block YAML nearly every pipeline file
// is written in, several times faster than yaml.v3, into compact Node
// trees equal to the ones yaml.v3 builds. It gives up on everything else
// (see Parse), and the pipeline package then parses the file with yaml.v3
// and converts the tree with FromYAML.
package fastyaml
