import { Avatar, Card, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import type { AppSpec, Definition } from '../api/types';
import { useI18n } from '../i18n/useI18n';
import { iconFor } from '../navigation/icons';

/** One app in the app switcher. */
export function AppCard({ app }: { app: Definition<AppSpec> }) {
  const { text } = useI18n();
  const navigate = useNavigate();
  const title = text(app.spec.title) || app.key;
  const open = () => navigate(`/apps/${encodeURIComponent(app.key)}`);
  return (
    <Card
      hoverable
      role="link"
      tabIndex={0}
      data-testid={`app-card-${app.key}`}
      onClick={open}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && open()}
      style={{ height: '100%' }}
    >
      <Card.Meta
        avatar={<Avatar shape="square" size={40} icon={iconFor(app.spec.icon)} style={{ background: app.spec.color ?? '#1677ff' }} />}
        title={title}
        description={<Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>{text(app.spec.description)}</Typography.Paragraph>}
      />
    </Card>
  );
}
