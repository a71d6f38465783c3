// Package all links every bundled plugin into the tangram binary. A plugin
// registers its extensions (channels, connectors, field types, actions,
// chart types) into engine registries from init(); adding a plugin to the
// build is one blank import here. Engines never import plugins.
package all

import (
	// Message channels of the automation engine, configured per server
	// in TANGRAM_CHANNELS.
	_ "github.com/tangram/tangram/plugins/channel-sms"
	_ "github.com/tangram/tangram/plugins/channel-smtp"
	_ "github.com/tangram/tangram/plugins/channel-wecom"
)
