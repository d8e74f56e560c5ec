import { useParams } from 'react-router';

export function useAppId(): string {
  const { appId } = useParams();
  return appId ?? '';
}
