package doctor

import (
	"context"
	"fmt"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// menuRootCheck checks that DS has the job folder menu.root names, and
// counts the jobs under it and tagged anywhere: a missing root shows every
// technician an empty menu, which looks like a permission problem.
func menuRootCheck(ctx context.Context, d Deps, st Store) Check {
	c := Check{Name: "menu root"}
	cfg := d.Config
	// No computer and no identity: only the folders and the candidate
	// jobs are wanted here, not a decision.
	snap, err := st.Snapshot(ctx, model.Computer{}, model.Identity{}, model.SnapshotOptions{
		RootFolder: cfg.Menu.Root, Tag: cfg.Menu.Tag, ConsoleSecurity: "off"})
	if err != nil {
		c.Status, c.Detail = Fail, "cannot read DS's job folders: "+err.Error()
		c.Fix = "See the store checks above"
		return c
	}
	under, tagged := 0, 0
	for _, j := range snap.Jobs {
		if snap.RootFolderID != 0 && inFolder(snap.Folders, j.FolderID, snap.RootFolderID) {
			under++
		} else {
			tagged++
		}
	}
	if snap.RootFolderID == 0 {
		c.Status = Fail
		if tagged > 0 {
			c.Status = Warn
		}
		c.Detail = fmt.Sprintf("DS has no job folder named %q (menu.root); %d job(s) tagged %s elsewhere", cfg.Menu.Root, tagged, cfg.Menu.Tag)
		c.Fix = "Make the folder in the DS console and put the technicians' jobs in it, or set menu.root to an existing folder"
		return c
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("job folder %q (id %d): %d job(s) under it, %d tagged %s elsewhere", cfg.Menu.Root, snap.RootFolderID, under, tagged, cfg.Menu.Tag)
	if under+tagged == 0 {
		c.Status = Warn
		c.Fix = "The folder holds no jobs: put the jobs technicians may run in it (or in its subfolders)"
	}
	return c
}

// inFolder says whether folder id is root or below it.
func inFolder(folders map[int64]model.Folder, id, root int64) bool {
	for i := 0; id != 0 && i < 64; i++ {
		if id == root {
			return true
		}
		id = folders[id].ParentID
	}
	return false
}
