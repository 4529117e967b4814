package config

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// folderNamesConfig is a config file with n menu.folder_names entries.
func folderNamesConfig(n int) []byte {
	var b strings.Builder
	b.WriteString("menu:\n  folder_names:\n")
	for i := 0; i < n; i++ {
		id := 1000001 + i
		b.WriteString("    " + strconv.Itoa(id) + ": Folder " + strconv.Itoa(id) + "\n")
	}
	return []byte(b.String())
}

func BenchmarkParseFolderNames(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		data := folderNamesConfig(n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Parse("big.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Loading stays linear in the number of menu.folder_names entries: yaml.v3
// checks a mapping's keys for duplicates pairwise, so 200,000 entries took
// over a minute. 10x the entries must cost well under 100x the time.
func TestFolderNamesLoadIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	measure := func(n int) time.Duration {
		data := folderNamesConfig(n)
		best := time.Duration(1<<63 - 1)
		for i := 0; i < 3; i++ {
			start := time.Now()
			c, err := Parse("big.yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Menu.FolderNames) != n {
				t.Fatalf("%d folder names, want %d", len(c.Menu.FolderNames), n)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	small, large := measure(2000), measure(20000)
	t.Logf("2,000 entries: %v; 20,000 entries: %v", small, large)
	if large > 30*small+50*time.Millisecond {
		t.Errorf("10x the folder names took %.0fx the time (%v vs %v): loading is not linear", float64(large)/float64(small), small, large)
	}
}

func TestFolderNamesDuplicateAndBadKeys(t *testing.T) {
	_, err := Parse("dup.yaml", []byte("menu:\n  folder_names:\n    1000005: A\n    1000006: B\n    1000005: C\n"))
	if err == nil || !strings.Contains(err.Error(), "line 5") || !strings.Contains(err.Error(), "1000005") {
		t.Errorf("duplicate folder id: %v", err)
	}
	_, err = Parse("bad.yaml", []byte("menu:\n  folder_names:\n    labs: A\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "menu.folder_names") {
		t.Errorf("non-numeric folder id: %v", err)
	}
	c, err := Parse("ok.yaml", []byte("menu:\n  root: Imaging\n  folder_names:\n    1000005: Labs\n    \"1000006\": Staff\n  flat: true\n"))
	if err != nil || c.Menu.FolderNames[1000005] != "Labs" || c.Menu.FolderNames[1000006] != "Staff" || !c.Menu.Flat || c.Menu.Root != "Imaging" {
		t.Errorf("folder names: %+v, %v", c.Menu, err)
	}
}
