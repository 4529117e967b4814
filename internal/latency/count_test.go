package latency_test

import (
	"bufio"
	"context"
	"database/sql"
	"net"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/latency"
)

// echo answers each line with the same line; a line "quiet" is not answered.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					if sc.Text() != "quiet" {
						if _, err := c.Write(append(sc.Bytes(), '\n')); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestProxyCountsAnsweredTurns(t *testing.T) {
	p, err := latency.NewProxy("127.0.0.1:0", echo(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	quietSeen := make(chan struct{})
	p.SetTrace(func(fromClient bool, n int, _ bool) {
		if fromClient && n == len("quiet\n") {
			close(quietSeen)
		}
	})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(c)
	for _, line := range []string{"one", "two", "three!"} {
		if _, err := c.Write([]byte(line + "\n")); err != nil {
			t.Fatal(err)
		}
		got, err := rd.ReadString('\n')
		if err != nil || got != line+"\n" {
			t.Fatalf("echo of %q: %q, %v", line, got, err)
		}
	}
	// Unanswered, then closed: no wait for the client, no round trip.
	if _, err := c.Write([]byte("quiet\n")); err != nil {
		t.Fatal(err)
	}
	<-quietSeen
	c.Close()
	p.Close() // waits for the connection's copies to end
	if p.Conns() != 1 || p.Trips() != 4 {
		t.Errorf("%d connections, %d round trips; want 1 and 4 (the handshake and three answered lines)", p.Conns(), p.Trips())
	}
}

func TestLinkCountsBatches(t *testing.T) {
	l := latency.NewLink(0)
	db := sql.OpenDB(l.Connector(sqliteDriver(t), ":memory:"))
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil { // 1
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE t(x INT)"); err != nil { // 2
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil) // 3
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (?)", 1); err != nil { // 4
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 1 { // 5
		t.Fatalf("count: %d, %v", n, err)
	}
	if err := tx.Commit(); err != nil { // 6
		t.Fatal(err)
	}
	st, err := db.PrepareContext(ctx, "SELECT x FROM t WHERE x = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.QueryRowContext(ctx, 1).Scan(&n); err != nil { // 7
		t.Fatal(err)
	}
	if l.Conns() != 1 || l.Trips() != 7 || l.Statements() != 4 {
		t.Errorf("%d connections, %d round trips, %d statements; want 1, 7 and 4", l.Conns(), l.Trips(), l.Statements())
	}
}

type batchKey struct{}

// With SetBatches, statements the code would send as one SQL Server batch
// cost one round trip; a statement outside a batch, a ping or a BEGIN
// costs its own.
func TestLinkChargesOneTripPerBatch(t *testing.T) {
	l := latency.NewLink(0)
	l.SetBatches(func(ctx context.Context) (uint64, bool) {
		id, ok := ctx.Value(batchKey{}).(uint64)
		return id, ok
	})
	db := sql.OpenDB(l.Connector(sqliteDriver(t), ":memory:"))
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t(x INT)"); err != nil { // 1
		t.Fatal(err)
	}
	one := context.WithValue(ctx, batchKey{}, uint64(7))
	for i := 0; i < 3; i++ { // 2: one batch of three
		var n int
		if err := db.QueryRowContext(one, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	two := context.WithValue(ctx, batchKey{}, uint64(8))
	for i := 0; i < 2; i++ { // 3: the next batch
		if _, err := db.ExecContext(two, "INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil { // 4: no batch
		t.Fatal(err)
	}
	if l.Trips() != 4 || l.Statements() != 7 {
		t.Errorf("%d round trips, %d statements; want 4 and 7", l.Trips(), l.Statements())
	}
}
