package query

// RenamePaths returns a copy of n with every leaf's field path passed
// through rename; n itself is not modified. Store adapters use it to move
// the paths of joined documents to where the database put them.
func RenamePaths(n *Node, rename func(string) string) *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Field.Path = rename(n.Field.Path)
	if n.Children != nil {
		c.Children = make([]*Node, len(n.Children))
		for i, ch := range n.Children {
			c.Children[i] = RenamePaths(ch, rename)
		}
	}
	return &c
}

// RenameAggregate returns a copy of a with the paths of its filter, group
// keys, measures and measure filters renamed; outputs keep their names.
func RenameAggregate(a *Aggregate, rename func(string) string) *Aggregate {
	out := *a
	out.Filter = RenamePaths(a.Filter, rename)
	out.Group = make([]GroupKey, len(a.Group))
	for i, g := range a.Group {
		g.Field.Path = rename(g.Field.Path)
		out.Group[i] = g
	}
	out.Measures = make([]Measure, len(a.Measures))
	for i, m := range a.Measures {
		if m.Field.Path != "" {
			m.Field.Path = rename(m.Field.Path)
		}
		m.Filter = RenamePaths(m.Filter, rename)
		out.Measures[i] = m
	}
	return &out
}
