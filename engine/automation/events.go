package automation

// Event types the automation triggers listen to. Record events are
// written by the records service in the transaction of the change, for the
// forms some published automation listens to (engine/form/events.go); their
// data is
//
//	version  the record's _version after the change (before it, for deletes)
//	changed  the keys of the fields that changed (updates)
//	before   updates: the changed fields' old values; deletes: the record
//	after    creates and updates: the record as stored
//
// Workflow events are the workflow engine's (engine/outbox lists them);
// webhook and manual events are written by this package (webhook.go,
// manual.go) with data {automation, payload, ...}.
const (
	EventRecordCreated      = "record.created"
	EventRecordUpdated      = "record.updated"
	EventRecordDeleted      = "record.deleted"
	EventWorkflowTransition = "workflow.transition"
	EventWebhook            = "automation.webhook"
	EventManual             = "automation.manual"
)
