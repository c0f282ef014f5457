# The example's end-to-end check `api:e2e`: asks the running API (`api:serve`) for its routes.
use strict;
use warnings;
use IO::Socket::INET;

my $port = $ARGV[0] // 4380;
my $socket = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port, Timeout => 5)
  or die "cannot connect to the API on 127.0.0.1:$port: $!\n";
print $socket "GET / HTTP/1.0\r\n\r\n";
my $response = do { local $/; <$socket> };
my ($status) = $response =~ m{^HTTP/\S+ (\d+)};
my ($body) = $response =~ m{\r\n\r\n(.*)\z}s;
die "the API answered with status " . ($status // "none") . "\n" unless defined $status && $status == 200;
die "the API does not list /health\n" unless $body =~ m{/health};
print "api answered with its routes, /health included\n";
