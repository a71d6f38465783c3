package meta

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
)

type menuItem struct {
	Key      string          `json:"key"`
	Target   json.RawMessage `json:"target"`
	URL      string          `json:"url"`
	Children []menuItem      `json:"children"`
}

// checkApp checks the navigation menu: keys are unique over the whole tree
// (they name routes in the UI) and every item leads somewhere: a target, a
// URL, or children.
func checkApp(spec json.RawMessage) []errs.FieldError {
	var a struct {
		Navigation []menuItem `json:"navigation"`
	}
	decodeLoose(spec, &a)
	var p problems
	checkMenu(&p, a.Navigation, "navigation", map[string]string{})
	return p
}

func checkMenu(p *problems, items []menuItem, base string, seen map[string]string) {
	for i, it := range items {
		path := fmt.Sprintf("%s[%d]", base, i)
		p.unique(seen, it.Key, path+".key", "menu key")
		if len(it.Target) == 0 && it.URL == "" && len(it.Children) == 0 {
			p.add(path, "meta.menu_item", "a menu item needs a target, a url or children")
		}
		checkMenu(p, it.Children, path+".children", seen)
	}
}
