import type { LocalizedText } from '../api/types';
import { messages } from '../i18n/messages';
import { registerRecordPanel } from '../records/detail/panels';
import { WorkflowPanel } from './WorkflowPanel';

/** Forms found to have no published flow ("app/form"), for this page life. */
const withoutFlow = new Set<string>();

const title: LocalizedText = { 'zh-CN': messages['zh-CN']['workflow.tab'], en: messages.en['workflow.tab'] };

/**
 * The workflow panel on the record page. It comes first, so a record in a
 * flow opens on its state and the caller's actions. Whether a form has a
 * flow is learnt from the first record's answer (a 404 workflow.not_found
 * drops the tab for that form; forms are not linked to flows in their own
 * definition), so only the first record of a form without a flow briefly
 * shows the tab.
 */
registerRecordPanel({
  key: 'workflow',
  title,
  order: 5,
  applies: (_spec, app, form) => !withoutFlow.has(`${app}/${form}`),
  render: ({ app, form, spec, record, reload }) => (
    <WorkflowPanel
      app={app}
      form={form}
      spec={spec}
      record={record}
      reload={reload}
      onMissing={() => {
        withoutFlow.add(`${app}/${form}`);
        reload();
      }}
    />
  ),
});
