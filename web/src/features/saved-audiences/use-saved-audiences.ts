import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type AudienceBody, type AudienceDetail, type AudiencePatch, api, unwrap } from '../../api.ts';
import { isRunning } from './audience-words.ts';

const LIST_KEY = ['saved-audiences'];
/** Everything about one audience (its detail and its runs) sits under this key: one invalidation refreshes it. */
const audienceKey = (audienceId: string) => ['saved-audience', audienceId];
const detailKey = (audienceId: string) => [...audienceKey(audienceId), 'detail'];

/** How often a page showing a running run asks again; a run's figures arrive when it completes. */
const RUN_POLL_MS = 1000;
const PAGE_SIZE = '20';

const path = (audienceId: string) => ({ params: { path: { audience_id: audienceId } } });

async function getAudience(audienceId: string): Promise<AudienceDetail> {
  return unwrap(await api.GET('/api/v1/audiences/{audience_id}', path(audienceId)));
}

/** The organisation's audiences, a page at a time; asked again while a last run is going. */
export function useAudienceList(cursor: string | undefined) {
  return useQuery({
    queryKey: [...LIST_KEY, cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/audiences', {
          params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.audiences.some((a) => isRunning(a.last_run)) ? 3 * RUN_POLL_MS : false,
  });
}

/** One audience, asked again while its last run is going (its size history grows when it ends). */
export function useAudience(audienceId: string) {
  return useQuery({
    queryKey: detailKey(audienceId),
    queryFn: () => getAudience(audienceId),
    refetchInterval: (query) => (isRunning(query.state.data?.last_run) ? RUN_POLL_MS : false),
  });
}

/** An audience's runs, newest first, a page at a time; asked again while one is going. */
export function useAudienceRuns(audienceId: string, cursor: string | undefined) {
  return useQuery({
    queryKey: [...audienceKey(audienceId), 'runs', cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/audiences/{audience_id}/runs', {
          params: {
            path: { audience_id: audienceId },
            query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.runs.some(isRunning) ? RUN_POLL_MS : false),
  });
}

/** Saves an audience; its answer is the detail its page shows first. */
export function useCreateAudience() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: AudienceBody) => unwrap(await api.POST('/api/v1/audiences', { body })),
    onSuccess: (created) => {
      client.setQueryData(detailKey(created.audience_id), created);
      void client.invalidateQueries({ queryKey: LIST_KEY });
    },
  });
}

/** Changes an audience (schedule, pause, …). */
export function useUpdateAudience(audienceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: AudiencePatch) =>
      unwrap(await api.PATCH('/api/v1/audiences/{audience_id}', { ...path(audienceId), body })),
    onSuccess: (changed) => {
      client.setQueryData(detailKey(audienceId), changed);
      void client.invalidateQueries({ queryKey: LIST_KEY });
    },
  });
}

/** Run now, Resync and Delete; each refreshes what it changed. */
export function useAudienceActions(audienceId: string) {
  const client = useQueryClient();
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: audienceKey(audienceId) }),
      client.invalidateQueries({ queryKey: LIST_KEY }),
    ]);
  const run = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/audiences/{audience_id}/runs', path(audienceId))),
    onSettled: refresh,
  });
  const resync = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/v1/audiences/{audience_id}/resync', path(audienceId))),
    onSuccess: (changed) => client.setQueryData(detailKey(audienceId), changed),
  });
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/v1/audiences/{audience_id}', path(audienceId))),
    // The audience's own queries stay: removed while its page is still shown, they would ask again (404).
    onSuccess: () => client.invalidateQueries({ queryKey: LIST_KEY }),
  });
  return { run, resync, remove };
}
