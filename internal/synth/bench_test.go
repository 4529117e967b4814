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
	st, err := express.Open(context.Background(), "sqlite:"+path, express.OpenOptions{})
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
// objects every 100µs, after a GC so earlier garbage doesn't count; it
// returns the highest sample. runtime/metrics reads without stopping the world.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	var peak atomic.Uint64
	peak.Store(read())
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
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	fn()
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	close(done)
	wg.Wait()
	return peak.Load()
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
	peak := peakHeap(func() { fullMenu(b, st, f) })
	b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
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

// BenchmarkOriginalWalk is the same menu computed by the original add-on's
// per-object walk against the same database, with the speedup over the
// engine. walk-s and walk-stmts are for every candidate (extrapolated from
// sampled-jobs when that is less than candidates).
func BenchmarkOriginalWalk(b *testing.B) {
	path, f := defaultDB(b)
	st := openStore(b, path)
	q := BaselineQuery{ComputerID: f.Computer.ID, Identity: f.Identity, RootFolder: f.RootFolder, Tag: f.Tag, SampleJobs: walkSample(b)}
	var res BaselineResult
	for b.Loop() {
		var err error
		if res, err = Baseline(context.Background(), st.DB(), q); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stmts, elapsed := res.Extrapolated()

	// The engine's time for the whole menu: the median of a few builds.
	var times []time.Duration
	var snap *model.Snapshot
	engineStmts := st.Statements()
	for range 7 {
		t0 := time.Now()
		_, snap = fullMenu(b, st, f)
		times = append(times, time.Since(t0))
	}
	engineStmts = (st.Statements() - engineStmts) / 7
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	engine := times[len(times)/2]

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
	b.ReportMetric(elapsed.Seconds(), "walk-s")
	b.ReportMetric(float64(engine.Microseconds())/1000, "engine-ms")
	b.ReportMetric(float64(engineStmts), "engine-stmts")
	b.ReportMetric(elapsed.Seconds()/engine.Seconds(), "speedup-x")
	b.ReportMetric(float64(differ), "differ")
}
