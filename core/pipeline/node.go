package pipeline

import "github.com/drover-ci/drover/core/pipeline/fastyaml"

// node is the decoder's YAML node (fastyaml builds them for plain block
// files, and converts yaml.v3's trees for the rest).
type node = fastyaml.Node
