// Package mongo is the MongoDB adapter of the store port.
//
// It is written against lungo's driver-mirroring interfaces (lungo.IClient,
// IDatabase, ICollection, ISession), so the same code runs on a real
// MongoDB (through the official driver, go.mongodb.org/mongo-driver v1.17)
// and on lungo's in-process engine, which is how the conformance suite runs
// without a server. The adapter knows which one it holds: Backend() is
// "mongo" or "lungo".
//
// URIs:
//
//	mongodb://host1,host2/dbname?replicaSet=rs0   real MongoDB (database from the path, default "tangram")
//	mongodb+srv://cluster.example.net/dbname      real MongoDB via DNS seed list
//	lungo://memory                                in-process lungo, in memory (tests, demos)
//	lungo:///var/lib/tangram/data.lungo           in-process lungo, persisted to one file
//
// Requirements and limits:
//   - Tx uses multi-document transactions, which MongoDB only offers on a
//     replica set or a sharded cluster; on a standalone server Tx fails. A
//     single-node replica set (mongod --replSet rs0, then rs.initiate()) is
//     enough. Inside a transaction MongoDB aborts the whole transaction on a
//     write error such as a duplicate key, so fn should return such errors
//     rather than carry on.
//   - MongoDB 5.0 or later: Aggregate uses $dateTrunc (5.0) and a
//     transaction may be the first to write a collection (4.4). On lungo,
//     which has no aggregation (its Collection.Aggregate panics), Aggregate
//     returns store.ErrUnsupported without calling it.
//   - lungo serialises writers (one write transaction at a time) and copies
//     data on write, about 3-5 ms per insert: it checks semantics, never
//     performance. The file-backed form rewrites the whole file on every
//     commit and is meant for small demos only.
//
// Numbers: integral JSON numbers are stored as int64, other JSON numbers as
// Decimal128 with the same digits (exact), Go floats as doubles; all come
// back as json.Number. Text operators in filters are compiled to operators
// both backends share (see filter.go).
package mongo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/256dpi/lungo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"

	"github.com/tangram/tangram/engine/store"
)

// Backend names reported by Store.Backend.
const (
	BackendMongo = "mongo"
	BackendLungo = "lungo"
)

// DefaultDatabase is used when a mongodb:// URI names no database.
const DefaultDatabase = "tangram"

func init() {
	store.Register("mongodb", openMongoURI)
	store.Register("mongodb+srv", openMongoURI)
	store.Register("lungo", openLungoURI)
}

// Store is an opened MongoDB or lungo database; it implements store.Store.
type Store struct {
	ops                   // non-transactional operations
	client  lungo.IClient // the driver (wrapped) or lungo's client
	db      lungo.IDatabase
	engine  *lungo.Engine // lungo only; closed with the store
	backend string
	obs     store.Observer
}

var _ store.Store = (*Store)(nil)

// Open connects to a real MongoDB at uri (mongodb:// or mongodb+srv://)
// and pings it. The database is the URI's path, or DefaultDatabase.
func Open(ctx context.Context, uri string, opt store.Options) (*Store, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("mongo: bad URI: %w", err)
	}
	return openMongo(ctx, u, opt)
}

func openMongoURI(ctx context.Context, u *url.URL, opt store.Options) (store.Store, error) {
	return openMongo(ctx, u, opt)
}

func openMongo(ctx context.Context, u *url.URL, opt store.Options) (*Store, error) {
	dbName := strings.TrimPrefix(u.Path, "/")
	if dbName == "" {
		dbName = DefaultDatabase
	}
	if strings.ContainsAny(dbName, "/\\. \"$") {
		return nil, fmt.Errorf("mongo: invalid database name %q", dbName)
	}
	client, err := lungo.Connect(ctx, options.Client().ApplyURI(u.String()))
	if err != nil {
		return nil, fmt.Errorf("mongo: connect: %w", err)
	}
	// The driver connects lazily; ping now so a wrong URI fails at start-up
	// rather than on the first request.
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("mongo: ping %s: %w", u.Redacted(), err)
	}
	return newStore(client, client.Database(dbName), nil, BackendMongo, opt), nil
}

// OpenLungo opens an empty in-memory lungo database (tests, demos). It
// behaves like MongoDB except that Aggregate returns store.ErrUnsupported.
func OpenLungo(ctx context.Context, opt store.Options) (*Store, error) {
	return openLungo(ctx, lungo.NewMemoryStore(), opt)
}

// OpenLungoFile opens a lungo database persisted to one file, which is
// rewritten on every commit: for small demos only.
func OpenLungoFile(ctx context.Context, path string, opt store.Options) (*Store, error) {
	return openLungo(ctx, lungo.NewFileStore(path, 0o600), opt)
}

func openLungoURI(ctx context.Context, u *url.URL, opt store.Options) (store.Store, error) {
	path := u.Path
	if u.Opaque != "" { // lungo:relative/path
		path = u.Opaque
	}
	switch {
	case u.Host == "memory" && (path == "" || path == "/"):
		return OpenLungo(ctx, opt)
	case u.Host == "" && path != "" && path != "/":
		return OpenLungoFile(ctx, path, opt)
	}
	return nil, fmt.Errorf("mongo: lungo URI must be lungo://memory or lungo:///path/to/file, got %q", u.Redacted())
}

func openLungo(ctx context.Context, ls lungo.Store, opt store.Options) (*Store, error) {
	client, engine, err := lungo.Open(ctx, lungo.Options{Store: ls})
	if err != nil {
		return nil, fmt.Errorf("mongo: open lungo: %w", err)
	}
	return newStore(client, client.Database(DefaultDatabase), engine, BackendLungo, opt), nil
}

func newStore(client lungo.IClient, db lungo.IDatabase, engine *lungo.Engine, backend string, opt store.Options) *Store {
	s := &Store{client: client, db: db, engine: engine, backend: backend, obs: opt.Observer}
	s.ops = ops{s: s}
	return s
}

// Backend reports "mongo" for a real MongoDB and "lungo" for lungo.
func (s *Store) Backend() string { return s.backend }

// Database returns the underlying database handle, for tools (backup,
// tests) that need driver-level access. Engine code must use the port.
func (s *Store) Database() lungo.IDatabase { return s.db }

// Ping checks that the primary is reachable.
func (s *Store) Ping(ctx context.Context) (err error) {
	defer s.observe("ping", time.Now(), &err)
	if err = s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongo: ping: %w", err)
	}
	return nil
}

// Close disconnects from MongoDB or shuts lungo's engine down.
func (s *Store) Close() error {
	err := s.client.Disconnect(context.Background())
	if s.engine != nil {
		s.engine.Close()
	}
	if err != nil {
		return fmt.Errorf("mongo: disconnect: %w", err)
	}
	return nil
}

// observe reports one operation to the Observer; use it deferred with the
// named error result so every return path is counted.
func (s *Store) observe(op string, start time.Time, err *error) {
	if s.obs != nil {
		s.obs(s.backend, op, time.Since(start), *err)
	}
}

// checkColl refuses unsafe collection names before anything reaches the
// database.
func checkColl(coll string) error {
	if !store.ValidCollection(coll) {
		return store.Wrapf(store.ErrInvalid, nil, "invalid collection name %q", coll)
	}
	return nil
}

// errIsContext reports cancellation and deadlines, which callers test with
// errors.Is and which must not be disguised as store errors.
func errIsContext(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
