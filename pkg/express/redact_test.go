package express

import (
	"context"
	"strings"
	"testing"
)

// A mistyped SQL URL must not print its password (issue 9, attack 6).
func TestOpenMistypedURLHidesThePassword(t *testing.T) {
	for _, u := range []string{"sqlserver//sa:S3cretPW@ds1?database=eXpress", "sqlserver:sa:S3cretPW@ds1", "sa:S3cretPW@ds1"} {
		_, err := Open(context.Background(), u, OpenOptions{})
		if err == nil || strings.Contains(err.Error(), "S3cretPW") {
			t.Errorf("Open(%q) = %v; want an error without the password", u, err)
		}
	}
}
