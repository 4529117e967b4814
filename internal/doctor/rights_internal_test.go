package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

// doctor says how the Administrative right is read, and says so plainly
// when it cannot be: then nobody holds it (fail closed).
func TestRightsText(t *testing.T) {
	for _, tt := range []struct {
		name  string
		stmts []string
		want  string
	}{
		{"securityprivilegelink", nil, "read from securityprivilegelink"},
		{"neither table", []string{"DROP TABLE securityprivilegelink"}, "nobody counts as holding it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := expresstest.NewFile(t)
			expresstest.Exec(t, path, tt.stmts...)
			s := expresstest.Open(t, path, express.OpenOptions{})
			sc, err := s.Schema(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := rightsText(sc); !strings.Contains(got, tt.want) {
				t.Errorf("rightsText = %q, want %q", got, tt.want)
			}
		})
	}
}
