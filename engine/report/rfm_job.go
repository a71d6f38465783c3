package report

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
)

// The settings of an RFM scoring run (RFMJob) and their checks. The same
// checks run when an automation naming the job is saved
// (engine/automation's report.rfm, through CheckRFMJob against the
// latest revisions) and when a run starts (against the published form),
// so a bad setting is refused with its path before anything is written.

// The scoring methods.
const (
	// RFMQuintiles cuts each measure at its 20/40/60/80th percentiles over
	// the buyers of the day's run (see rfm_quintile.go).
	RFMQuintiles = "quintiles"
	// RFMThresholds reads fixed bands from a decision table an admin edits.
	RFMThresholds = "thresholds"
)

// RFMTagPrefix starts the value of every tag the scoring writes: the tag
// of segment "champions" is "rfm-champions". A run replaces any tag with
// this prefix (the segment of an earlier run, or of a segment since
// removed) and keeps every other tag. The prefix keeps the segment tags
// apart from hand-set tags with the same word ("new" 新客 is a hand-set
// tag; "rfm-new" 一般发展客户 is a segment).
const RFMTagPrefix = "rfm-"

// RFMJob names what one scoring run uses.
type RFMJob struct {
	Form string `json:"form"`
	// Segments is the decision table turning R, F, M into a segment.
	Segments string `json:"segments"`
	// Thresholds is the bands table of the "thresholds" method; unused by
	// quintiles.
	Thresholds string `json:"thresholds,omitempty"`
	// Method is RFMQuintiles (default) or RFMThresholds.
	Method string `json:"method,omitempty"`
	// TagField is the multiselect the segment is also written to as a tag
	// (RFMTagPrefix + segment; each must be one of its options); "": no
	// tags.
	TagField string `json:"tagField,omitempty"`
	// Batch is how many member writes one transaction holds (default
	// 500, at most 5,000): short transactions keep checkouts flowing.
	Batch int `json:"batch,omitempty"`
	// RunKey names the run for retries: a run whose key is the one the
	// last finished run recorded returns that run's result without
	// scoring again (an automation run retried after its lease ended).
	RunKey string `json:"-"`
}

// DefaultRFMJob is the CRM template's job.
var DefaultRFMJob = RFMJob{Form: "members", Segments: "rfm-segments", Thresholds: "rfm-thresholds", Method: RFMQuintiles, TagField: "tags"}

// method is the job's method, RFMQuintiles when unset.
func (j RFMJob) method() string {
	if j.Method == "" {
		return RFMQuintiles
	}
	return j.Method
}

// written lists the member fields a run writes.
func (j RFMJob) written() []string {
	if j.TagField == "" {
		return rfmWritten
	}
	return append(slices.Clip(rfmWritten), j.TagField)
}

// Check checks what needs no definition: the method, the batch
// size, and that the method's tables are named.
func (j RFMJob) Check(lang string) []errs.FieldError {
	var fe []errs.FieldError
	add := func(path, code string, args ...any) {
		fe = append(fe, errs.FieldError{Path: path, Code: code, Message: rfmMsg(lang, code, args...)})
	}
	switch j.method() {
	case RFMQuintiles:
	case RFMThresholds:
		if !meta.ValidKey(j.Thresholds) {
			add("thresholds", "report.rfm_thresholds_required")
		}
	default:
		add("method", "report.rfm_method", j.Method)
	}
	if !meta.ValidKey(j.Form) {
		add("form", "report.rfm_unknown_form", j.Form)
	}
	if !meta.ValidKey(j.Segments) {
		add("segments", "report.rfm_unknown_table", j.Segments)
	}
	if j.Batch < 0 || j.Batch > rfmMaxBatch {
		add("batch", "report.rfm_batch", rfmMaxBatch)
	}
	return fe
}

// CheckRFMJob checks a job against app's latest definitions (what an
// automation being saved will run with once they are published): the
// method, the form and the fields the run reads and writes, the tag
// field (a multiselect offering a tag for every segment), and the
// decision tables. Paths are the job's settings ("form", "tagField").
func CheckRFMJob(ctx context.Context, ms *meta.Service, app string, job RFMJob, lang string) []errs.FieldError {
	fe := job.Check(lang)
	if len(fe) > 0 {
		return fe
	}
	tables := []struct{ path, key string }{{"segments", job.Segments}}
	if job.method() == RFMThresholds {
		tables = append(tables, struct{ path, key string }{"thresholds", job.Thresholds})
	}
	for _, t := range tables {
		if _, err := ms.Get(ctx, app, meta.KindRule, t.key); err != nil {
			fe = append(fe, errs.FieldError{Path: t.path, Code: "report.rfm_unknown_table", Message: rfmMsg(lang, "report.rfm_unknown_table", t.key)})
		}
	}
	def, err := ms.Get(ctx, app, meta.KindForm, job.Form)
	var f *form.Form
	if err == nil {
		f, err = form.Compile(def)
	}
	if err != nil {
		return append(fe, errs.FieldError{Path: "form", Code: "report.rfm_unknown_form", Message: rfmMsg(lang, "report.rfm_unknown_form", job.Form)})
	}
	_, bad := checkRFMForm(f, job, lang)
	return append(fe, bad...)
}

// checkRFMForm checks the fields the job reads and writes on f and returns
// the segment field's options.
func checkRFMForm(f *form.Form, job RFMJob, lang string) (map[string]bool, []errs.FieldError) {
	var list []errs.FieldError
	want := map[string][]string{RFMFieldLast: {"datetime", "date"}, RFMFieldOrders: {"number"}, RFMFieldSpend: {"money", "number"},
		RFMFieldR: {"number"}, RFMFieldF: {"number"}, RFMFieldM: {"number"}, RFMFieldSegment: {"select"}}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		fd, ok := f.Field(key)
		if !ok || !slices.Contains(want[key], fd.Type) {
			list = append(list, errs.FieldError{Path: "form." + key, Code: "report.rfm_field",
				Message: rfmMsg(lang, "report.rfm_field", key, want[key])})
		}
	}
	if len(list) > 0 {
		return nil, list
	}
	fd, _ := f.Field(RFMFieldSegment)
	options := map[string]bool{}
	for _, o := range fd.Options {
		options[o.Value] = true
	}
	if job.TagField == "" {
		return options, nil
	}
	tf, ok := f.Field(job.TagField)
	switch {
	case !ok:
		return nil, []errs.FieldError{{Path: "tagField", Code: "report.rfm_tag_field", Message: rfmMsg(lang, "report.rfm_tag_field", job.TagField, f.Key)}}
	case tf.Type != "multiselect":
		return nil, []errs.FieldError{{Path: "tagField", Code: "report.rfm_tag_type", Message: rfmMsg(lang, "report.rfm_tag_type", job.TagField, tf.Type)}}
	}
	offered := map[string]bool{}
	for _, o := range tf.Options {
		offered[o.Value] = true
	}
	var missing []string
	for _, v := range slices.Sorted(maps.Keys(options)) {
		if !offered[RFMTagPrefix+v] {
			missing = append(missing, RFMTagPrefix+v)
		}
	}
	if len(missing) > 0 {
		return nil, []errs.FieldError{{Path: "tagField", Code: "report.rfm_tag_options",
			Message: rfmMsg(lang, "report.rfm_tag_options", job.TagField, strings.Join(missing, ", "))}}
	}
	return options, nil
}
