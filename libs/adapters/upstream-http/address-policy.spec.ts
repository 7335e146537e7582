import { isPublicAddress } from './address-policy.js';

describe('isPublicAddress: the SSRF guard of upstream requests', () => {
  it.each(['93.184.215.14', '151.101.0.223', '8.8.8.8', '2606:4700::6810:84e5', '::ffff:8.8.8.8', '64:ff9b::808:808'])('%s is public', (a) => {
    expect(isPublicAddress(a)).toBe(true);
  });

  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '198.18.0.5', '::1', '::', 'fe80::1', 'fd00::1', 'fc12::9', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::a00:1', 'localhost', 'not-an-address',
  ])('%s is not', (a) => {
    expect(isPublicAddress(a)).toBe(false);
  });
});
