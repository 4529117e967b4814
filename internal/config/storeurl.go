package config

import (
	"errors"
	"fmt"

	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// Configured says a store is set (store.url is not empty).
func (s StoreConfig) Configured() bool { return s.URL != "" }

// Location is store.url parsed (express.ParseURL). Outside this package the
// store location is read only through it: config and its flags are the
// one place that holds the text (TestRawStoreURLCallers).
func (s StoreConfig) Location() (express.URL, error) {
	if s.URL == "" {
		return express.URL{}, errors.New("store.url is not set: give sqlserver://HOST/INSTANCE?database=eXpress (--store)")
	}
	u, err := express.ParseURL(s.URL)
	if err != nil {
		return u, fmt.Errorf("store.url: %w", err)
	}
	return u, nil
}
