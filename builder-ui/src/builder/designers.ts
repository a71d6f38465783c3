import type { ComponentType } from 'react';
import { ActionDesigner } from './action/ActionDesigner';
import { AutomationDesigner } from './automation/AutomationDesigner';
import { DashboardDesigner } from './dashboard/DashboardDesigner';
import { FlowDesigner } from './flow/FlowDesigner';
import { FormDesigner } from './form/FormDesigner';
import type { Designer } from './lifecycle/useDesigner';
import { NavDesigner } from './nav/NavDesigner';
import { PageDesigner } from './page/PageDesigner';
import { ReportDesigner } from './report/ReportDesigner';
import { RoleDesigner } from './role/RoleDesigner';
import { RuleDesigner } from './rule/RuleDesigner';
import { ViewDesigner } from './view/ViewDesigner';

/** The designer of each kind the builder edits. */
export const designers: Record<string, ComponentType<{ d: Designer<never> }>> = {
  form: FormDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  rule: RuleDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  flow: FlowDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  report: ReportDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  dashboard: DashboardDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  app: NavDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  automation: AutomationDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  action: ActionDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  role: RoleDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  view: ViewDesigner as unknown as ComponentType<{ d: Designer<never> }>,
  page: PageDesigner as unknown as ComponentType<{ d: Designer<never> }>,
};
