package automation_test

import "testing"

// TestScenariosOnLungo runs the core scenarios on the Mongo adapter over
// lungo (an in-process engine speaking the MongoDB driver's API): record
// events, schedules and date scans across runners, dead letters, flows and
// workflow actions. Store task progress is left out: it is a store
// aggregation, which lungo does not implement.
func TestScenariosOnLungo(t *testing.T) {
	t.Setenv("TANGRAM_TEST_AUTOMATION_STORE", "lungo://memory")
	for name, fn := range map[string]func(*testing.T){
		"record events":   TestRecordCreatedRunsEachActionOnce,
		"field changes":   TestRecordUpdatedFieldChanges,
		"dead letters":    TestDeadLetterAndReplay,
		"cron":            TestCronFiresOncePerOccurrenceAcrossRunners,
		"birthday":        TestBirthdayAndWinBack,
		"flows":           TestBranchSplitWaitAndFriends,
		"workflow":        TestWorkflowTriggerAndActions,
		"webhooks":        TestWebhookVerification,
		"manual":          TestManualTrigger,
		"channel retries": TestWebhookChannelSignsAndRetries,
	} {
		t.Run(name, fn)
	}
}
