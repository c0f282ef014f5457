# A tiny HTTP server for the example's service `api:serve`: answers every request with the built
# routes. Perl's core socket module is on every POSIX system, so the example needs nothing installed.
use strict;
use warnings;
use IO::Socket::INET;

my $port = $ARGV[0] // 4380;
my $server = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $port, Listen => 5, ReuseAddr => 1)
  or die "cannot listen on 127.0.0.1:$port: $!\n";
$| = 1;
print "api listening on http://127.0.0.1:$port/\n";
while (my $client = $server->accept) {
  my $request = <$client>;
  open(my $routes, "<", "dist/routes.txt") or die "cannot read dist/routes.txt: $!\n";
  my $body = do { local $/; <$routes> };
  close $routes;
  print $client "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\n\r\n$body";
  close $client;
  $request //= "a request without a request line";
  $request =~ s/\s+\z//;
  print "served $request\n";
}
