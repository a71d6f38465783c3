package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/server/openapi"
)

// fieldTypeRoutes serves the form engine's field-type registry, so the
// builder's palette and API clients read the types from the server that
// validates them instead of keeping a list of their own.
func (s *Server) fieldTypeRoutes(r *Router) {
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/field-types", ID: "listFieldTypes", Tag: "meta",
		Summary: "The registered field types of forms",
		Description: "Each type's key, labels in zh-CN and en, settings schema and example field, the JSON Schema fragment " +
			"and stored representation of a value (of the example field, where storage follows the settings), the filter " +
			"operators it accepts, its UI hint, and whether its values are computed.",
		Response: openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object",
			"required": []string{"key", "label", "computed", "schema", "stored", "operators"},
			"properties": openapi.Schema{
				"key":       openapi.Schema{"type": "string"},
				"label":     openapi.Schema{"type": "object", "properties": openapi.Schema{"zh-CN": openapi.Schema{"type": "string"}, "en": openapi.Schema{"type": "string"}}},
				"group":     openapi.Schema{"type": "string"},
				"uiHint":    openapi.Schema{"type": "string"},
				"computed":  openapi.Schema{"type": "boolean"},
				"settings":  openapi.Schema{"type": "object", "description": "JSON Schema of the type's settings on a field"},
				"example":   openapi.Schema{"type": "object"},
				"schema":    openapi.Schema{"type": "object", "description": "JSON Schema fragment of a stored value"},
				"stored":    openapi.Schema{"type": "object", "description": "kind, array, sub-paths; virtual when resolved on read"},
				"operators": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string"}},
			}}},
	}, func(c *fiber.Ctx) error {
		infos, err := form.FieldTypeInfos()
		if err != nil {
			return err
		}
		return c.JSON(infos)
	})
}
