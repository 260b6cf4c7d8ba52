import { clusterTransition } from './cluster-watch';

describe('Cassandra coming back', () => {
  it.each([
    ['every host up, as before', false, 3, 3, false, false],
    ['one host of three down: quorum kept, nothing lost', false, 2, 3, false, false],
    ['the last host goes down', false, 0, 3, true, false],
    ['still all down', true, 0, 3, true, false],
    ['a host is up after all were down', true, 1, 3, false, true],
    ['the single node restarted', true, 1, 1, false, true],
    ['no host known yet', false, 0, 0, false, false],
  ])('%s', (_what, allDown, up, hosts, nextAllDown, cameBack) => {
    expect(clusterTransition(allDown, up, hosts)).toEqual({ allDown: nextAllDown, cameBack });
  });
});
