// Package automation runs automations (meta kind "automation"): a trigger,
// an optional condition on the record, and an ordered list of actions.
//
// # Extension points
//
// Triggers, actions and message channels are three registries (engine/ext),
// one file per extension: trigger_*.go, action_*.go, channel_*.go here, and
// more channels in plugins/. Each registers a self-describing ext.Spec and a
// Compile function that strictly decodes its config, so an unknown field or
// a cron expression that never fires is a 422 with the path of the mistake
// when the automation is saved (check.go), not a failure at run time.
//
// # From a change to its effects, exactly once
//
// Engines that change data write outbox events (engine/outbox) in the
// transaction of the change: record.created/updated/deleted from the
// records service, workflow.transition and friends from the workflow
// engine, automation.webhook and automation.manual from this package's
// endpoints. The runner (runner.go) then works in three stages, each safe
// to run on every server instance at once:
//
//  1. dispatch (dispatch.go): pending events are matched against the
//     published automations (catalog.go) and each match becomes a run
//     document, in one transaction with the event's status change, so an
//     event is dispatched once however many runners race for it;
//  2. schedules (schedule.go, scan.go): cron and date-relative triggers
//     create runs for each occurrence; an occurrence is a document taken
//     under a lease and advanced page by page, its runs inserted in the
//     same transaction as its cursor, so each occurrence fires once across
//     instances, resumes where a dead instance stopped and catches up on
//     occurrences missed during downtime (within a window);
//  3. execution (execute.go): runs due now are claimed with a lease (the
//     run's "due" time moves to the lease's end, so a runner that dies
//     leaves its runs due again when the lease ends) and their actions run
//     in order. An action that writes to the store runs in one
//     transaction with the conditional update of the run that records its
//     result and moves the run on, so a retried run never repeats an
//     action that committed. Actions that leave the store (an HTTP call, a
//     workflow transition through the workflow engine's own transaction)
//     run outside and carry the action's idempotency key (run id/action
//     id) to the other side.
//
// A failing action is retried with exponential backoff; after the
// automation's maximum attempts the run is dead: the dead-letter list
// (deadletter.go) shows it with its error, and an admin can replay it,
// which resumes at the failed action (those that succeeded are not run
// again).
//
// Messages (message.send) are effects in the store too: the action writes
// a message document, and a delivery stage (delivery.go) hands it to its
// channel with retries, so a channel that is down delays its own messages
// and nothing else.
package automation
