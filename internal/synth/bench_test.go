package synth

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// The default-size database is generated once per test binary and shared by
// every benchmark; TestMain removes it.
var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
	benchFix  Fixture
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func defaultDB(b *testing.B) (string, Fixture) {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "imageinvoker-synth-")
		if benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, "synth.db")
		benchFix, benchErr = generateFile(benchPath, Default())
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath, benchFix
}

func generateFile(path string, p Params) (Fixture, error) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return Fixture{}, err
	}
	defer db.Close()
	if err := express.CreateSchema(ctx, db); err != nil {
		return Fixture{}, err
	}
	return Generate(ctx, db, p)
}

func openStore(b *testing.B, path string) *express.Store {
	b.Helper()
	st, err := express.Open(context.Background(), expresstest.URL(b, "sqlite:"+path), express.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// menuResult is what one menu build produced.
type menuResult struct {
	candidates, allowed int
}

// decideAndBuild is the pure half of a menu: index the snapshot, decide
// every candidate, build the menu.
func decideAndBuild(snap *model.Snapshot, tag string) menuResult {
	ev := access.New(snap)
	m := menu.Build(snap, ev.Allowed, menu.Options{Tag: tag})
	return menuResult{candidates: len(snap.Jobs), allowed: len(m.Entries())}
}

// fullMenu is the product path from an open store: find the computer, load
// the snapshot, decide, build.
func fullMenu(b *testing.B, st *express.Store, f Fixture) (menuResult, *model.Snapshot) {
	ctx := context.Background()
	c, err := st.FindComputer(ctx, f.Key)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, c, f.Identity, express.SnapshotOptions{RootFolder: f.RootFolder, Tag: f.Tag})
	if err != nil {
		b.Fatal(err)
	}
	return decideAndBuild(snap, f.Tag), snap
}

// peakHeap runs fn while sampling the bytes of live and not-yet-swept heap
// objects of the whole process every 100µs, after a GC so earlier garbage
// doesn't count; it returns that heap just before fn (base) and the highest
// sample. The process heap includes what fn did not make (the open store's
// SQLite page cache, the benchmark's own data): peak-base is fn's share.
// runtime/metrics reads without stopping the world.
func peakHeap(fn func()) (base, peak uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	var top atomic.Uint64
	base = read()
	top.Store(base)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > top.Load() {
					top.Store(v)
				}
			}
		}
	}()
	fn()
	if v := read(); v > top.Load() {
		top.Store(v)
	}
	close(done)
	wg.Wait()
	return base, top.Load()
}

const mb = 1 << 20

// BenchmarkGenerate is the time to write the default synthetic site.
func BenchmarkGenerate(b *testing.B) {
	var f Fixture
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(b.TempDir(), "gen"+strconv.Itoa(i)+".db")
		var err error
		if f, err = generateFile(path, Default()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.Rows), "rows")
	b.ReportMetric(f.Elapsed.Seconds(), "gen-s")
}

// BenchmarkMenuFromSQLite is a full menu from an open store: FindComputer,
// Snapshot, decide every candidate, build. stmts/op is every statement the
// store sent.
func BenchmarkMenuFromSQLite(b *testing.B) {
	path, f := defaultDB(b)
	st := openStore(b, path)
	var r menuResult
	before := st.Statements()
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		r, _ = fullMenu(b, st, f)
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/op")
	b.ReportMetric(float64(st.Statements()-before)/float64(n), "stmts/op")
	b.ReportMetric(float64(r.candidates), "candidates")
	b.ReportMetric(float64(r.allowed), "allowed")
	base, peak := peakHeap(func() { fullMenu(b, st, f) })
	b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
	b.ReportMetric(float64(peak-base)/mb, "menu-heap-MB")
	// The first menu of a freshly opened store also pays schema discovery.
	fresh := openStore(b, path)
	fullMenu(b, fresh, f)
	b.ReportMetric(float64(fresh.Statements()), "first-menu-stmts")
}

// BenchmarkDecideBuild is the in-memory part alone, on a loaded snapshot.
func BenchmarkDecideBuild(b *testing.B) {
	path, f := defaultDB(b)
	st := openStore(b, path)
	_, snap := fullMenu(b, st, f)
	var r menuResult
	n := 0
	// Start from a collected heap: the generator's garbage is not part of
	// deciding and building, and would otherwise be swept on this clock.
	runtime.GC()
	cpu0 := cpuTime()
	for b.Loop() {
		r = decideAndBuild(snap, f.Tag)
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/op")
	b.ReportMetric(float64(r.allowed), "allowed")
	b.ReportMetric(float64(len(snap.Links)), "links")
	b.ReportMetric(float64(len(snap.Principals)), "principals")
}

// walkSample is how many candidates the original walk decides; the rest is
// extrapolated linearly. SYNTH_WALK_SAMPLE overrides it; 0 walks them all.
func walkSample(b *testing.B) int {
	s := os.Getenv("SYNTH_WALK_SAMPLE")
	if s == "" {
		return 1000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		b.Fatalf("SYNTH_WALK_SAMPLE=%q: want a job count (0 = all)", s)
	}
	return n
}

// speedRuns is how many times the walk and the engine each run for the
// speedup: the same number, each figure the median of its runs.
const speedRuns = 3

// median is the middle of ds (sorted in place).
func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

// BenchmarkOriginalWalk is the same menu computed by a Go re-implementation
// of the original add-on's per-object walk (synth.Baseline: one statement
// per tree level, per job, per principal, as its T-SQL ran) against the same
// database, with the speedup of the engine over it. Both are timed the same
// way: speedRuns runs each on the same open store, the median of each.
// walk-s and walk-stmts are for every candidate (extrapolated from
// sampled-jobs when that is less than candidates).
func BenchmarkOriginalWalk(b *testing.B) {
	path, f := defaultDB(b)
	st := openStore(b, path)
	q := BaselineQuery{ComputerID: f.Computer.ID, Identity: f.Identity, RootFolder: f.RootFolder, Tag: f.Tag, SampleJobs: walkSample(b)}
	var res BaselineResult
	var walkTimes []time.Duration
	for b.Loop() {
		walkTimes = walkTimes[:0]
		for range speedRuns {
			var err error
			if res, err = Baseline(context.Background(), st.DB(), q); err != nil {
				b.Fatal(err)
			}
			_, elapsed := res.Extrapolated() // the whole menu's walk, from the sample
			walkTimes = append(walkTimes, elapsed)
		}
	}
	b.StopTimer()
	stmts, _ := res.Extrapolated()
	walk := median(walkTimes)

	// The engine's time for the whole menu, measured the same way.
	var times []time.Duration
	var snap *model.Snapshot
	engineStmts := st.Statements()
	for range speedRuns {
		t0 := time.Now()
		_, snap = fullMenu(b, st, f)
		times = append(times, time.Since(t0))
	}
	engineStmts = (st.Statements() - engineStmts) / speedRuns
	engine := median(times)

	// Where the engine and the walk disagree on the sampled jobs: the walk
	// ignores rules 3 and 4 across principals, so with 26 principals some do.
	ev := access.New(snap)
	differ := 0
	for _, id := range res.Decided {
		if ev.Allowed(id) != res.Allowed[id] {
			differ++
		}
	}
	b.ReportMetric(float64(len(res.Decided)), "sampled-jobs")
	b.ReportMetric(float64(res.Candidates), "candidates")
	b.ReportMetric(float64(stmts), "walk-stmts")
	b.ReportMetric(walk.Seconds(), "walk-s")
	b.ReportMetric(float64(engine.Microseconds())/1000, "engine-ms")
	b.ReportMetric(float64(engineStmts), "engine-stmts")
	b.ReportMetric(walk.Seconds()/engine.Seconds(), "speedup-x")
	b.ReportMetric(speedRuns, "runs-each")
	b.ReportMetric(float64(differ), "differ")
}
