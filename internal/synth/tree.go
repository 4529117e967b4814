package synth

import (
	randv2 "math/rand/v2"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// FolderTree fills s.Folders with a random job folder tree in memory, for
// the engine's benchmarks and property tests that need a large snapshot
// without a database: n folders numbered up from s.RootFolderID, the first
// of them the root and each other one under a random earlier folder, at most
// maxDepth levels deep (the root is level 1). name(i) names folder i; it is
// called after folder i's parent is drawn, so a name drawn from r keeps the
// sequence of draws the same for a given seed.
func FolderTree(r *randv2.Rand, s *model.Snapshot, n, maxDepth int, name func(i int) string) {
	if s.Folders == nil {
		s.Folders = map[int64]model.Folder{}
	}
	root := s.RootFolderID
	depth := map[int64]int{0: 0}
	for i := range n {
		id := root + int64(i)
		var parent int64
		if i > 0 {
			for {
				parent = root + int64(r.IntN(i))
				if depth[parent] < maxDepth {
					break
				}
			}
		}
		depth[id] = depth[parent] + 1
		s.Folders[id] = model.Folder{ID: id, ParentID: parent, Name: name(i)}
	}
}
