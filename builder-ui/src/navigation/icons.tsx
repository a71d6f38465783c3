import {
  AppstoreOutlined,
  BarChartOutlined,
  CreditCardOutlined,
  DashboardOutlined,
  FileTextOutlined,
  FormOutlined,
  GiftOutlined,
  HomeOutlined,
  LinkOutlined,
  SettingOutlined,
  ShopOutlined,
  ShoppingCartOutlined,
  TableOutlined,
  TagsOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';

/**
 * The icon names definitions may use. Each is imported by name so the
 * bundle carries only these, not the whole icon set.
 */
const icons: Record<string, ReactNode> = {
  app: <AppstoreOutlined />,
  appstore: <AppstoreOutlined />,
  chart: <BarChartOutlined />,
  report: <BarChartOutlined />,
  card: <CreditCardOutlined />,
  dashboard: <DashboardOutlined />,
  file: <FileTextOutlined />,
  page: <FileTextOutlined />,
  form: <FormOutlined />,
  gift: <GiftOutlined />,
  coupon: <GiftOutlined />,
  home: <HomeOutlined />,
  link: <LinkOutlined />,
  settings: <SettingOutlined />,
  shop: <ShopOutlined />,
  store: <ShopOutlined />,
  cart: <ShoppingCartOutlined />,
  pos: <ShoppingCartOutlined />,
  table: <TableOutlined />,
  view: <TableOutlined />,
  tags: <TagsOutlined />,
  team: <TeamOutlined />,
  members: <TeamOutlined />,
  user: <UserOutlined />,
  member: <UserOutlined />,
};

/** The icon for a definition's icon name; a generic one for unknown names. */
export function iconFor(name: string | undefined): ReactNode {
  return (name && icons[name]) || <AppstoreOutlined />;
}
