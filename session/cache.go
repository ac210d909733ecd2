package session

import (
	"container/list"
	"sync"
)

// DefaultCacheSize bounds a server's session-id cache (OpenSSL's default
// is 20,480 entries).
const DefaultCacheSize = 20480

// Cache is a server's bounded LRU cache of sessions by id. Entries are
// copies of the encoded state, so nothing a caller holds aliases it. It
// is safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	size  int
	order *list.List // front is most recent; values are *cacheEntry
	byID  map[string]*list.Element
}

type cacheEntry struct {
	id    string
	state []byte
}

// NewCache returns a cache of at most size entries (DefaultCacheSize when
// size <= 0).
func NewCache(size int) *Cache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &Cache{size: size, order: list.New(), byID: map[string]*list.Element{}}
}

// Put stores s under id, evicting the least recently used entry when
// full.
func (c *Cache) Put(id []byte, s *State) error {
	enc, err := s.Marshal()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[string(id)]; ok {
		e.Value.(*cacheEntry).state = enc
		c.order.MoveToFront(e)
		return nil
	}
	c.byID[string(id)] = c.order.PushFront(&cacheEntry{id: string(id), state: enc})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*cacheEntry).id)
	}
	return nil
}

// Get returns the session stored under id.
func (c *Cache) Get(id []byte) (*State, bool) {
	c.mu.Lock()
	e, ok := c.byID[string(id)]
	var enc []byte
	if ok {
		c.order.MoveToFront(e)
		enc = e.Value.(*cacheEntry).state
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	s, err := Unmarshal(enc)
	return s, err == nil
}

// Delete forgets id (an expired or refused session).
func (c *Cache) Delete(id []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[string(id)]; ok {
		c.order.Remove(e)
		delete(c.byID, string(id))
	}
}

// Len returns the number of cached sessions.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
