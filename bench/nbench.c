// SPDX-License-Identifier: GPL-2.0
/*
 * nbench: the TCP ends of the connection-rate benchmark.
 *
 *   nbench serve PORT
 *	accepts connections on 0.0.0.0:PORT and closes each at once (the
 *	server sends the first FIN, so the client's ports leave no TIME_WAIT
 *	behind).
 *   nbench connect ADDR PORT SECONDS CONCURRENCY [SRC]
 *	keeps CONCURRENCY connections to ADDR:PORT being opened; each one is
 *	done when the server's FIN arrives, and is closed. Stops after
 *	SECONDS and prints "conns N errors N seconds S rate R" (completed
 *	connections per second). SRC binds the client's address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_addr(const char *s, int port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return inet_pton(AF_INET, s, &sin->sin_addr) == 1 ? 0 : -1;
}

static int serve(int port)
{
	struct sockaddr_in sin;
	int one = 1, fd, c;

	parse_addr("0.0.0.0", port, &sin);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind");
	if (listen(fd, 4096) < 0)
		die("listen");
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
		else if (errno != EINTR && errno != ECONNABORTED)
			die("accept");
	}
	return 0;
}

struct client {
	struct sockaddr_in dst, src;
	int have_src, ep;
	unsigned long conns, errors;
};

static int open_one(struct client *cl)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN | EPOLLRDHUP };
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (cl->have_src) {
		setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			   sizeof(one));
		if (bind(fd, (struct sockaddr *)&cl->src, sizeof(cl->src)) < 0)
			goto fail;
	}
	if (connect(fd, (struct sockaddr *)&cl->dst, sizeof(cl->dst)) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	ev.data.fd = fd;
	if (epoll_ctl(cl->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		goto fail;
	return 0;
fail:
	close(fd);
	return -1;
}

/* One event on a connection: done at the server's FIN or an error. */
static void on_event(struct client *cl, struct epoll_event *e)
{
	int fd = e->data.fd, err = 0;
	socklen_t len = sizeof(err);
	char buf[64];

	if (e->events & (EPOLLERR | EPOLLHUP)) {
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err || !(e->events & EPOLLIN)) {
			cl->errors++;
			goto done;
		}
	}
	if (!(e->events & (EPOLLIN | EPOLLRDHUP)))
		return;		/* connected; the FIN comes next */
	if (read(fd, buf, sizeof(buf)) != 0) {
		if (errno == EAGAIN)
			return;
		cl->errors++;
		goto done;
	}
	cl->conns++;
done:
	close(fd);
	if (open_one(cl) < 0)
		cl->errors++;
}

static int client(int argc, char **argv)
{
	struct epoll_event evs[256];
	struct client cl = { 0 };
	double t0, secs, end;
	int i, n, conc;

	if (parse_addr(argv[2], atoi(argv[3]), &cl.dst) < 0)
		return fprintf(stderr, "nbench: bad address %s\n", argv[2]), 1;
	secs = atof(argv[4]);
	conc = atoi(argv[5]);
	if (argc > 6) {
		if (parse_addr(argv[6], 0, &cl.src) < 0)
			return fprintf(stderr, "nbench: bad address %s\n",
				       argv[6]), 1;
		cl.have_src = 1;
	}
	cl.ep = epoll_create1(0);
	if (cl.ep < 0)
		die("epoll_create1");
	t0 = now();
	end = t0 + secs;
	for (i = 0; i < conc; i++)
		if (open_one(&cl) < 0)
			die("connect");
	while (now() < end) {
		n = epoll_wait(cl.ep, evs, 256, 100);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++)
			on_event(&cl, &evs[i]);
	}
	secs = now() - t0;
	printf("conns %lu errors %lu seconds %.3f rate %.1f\n", cl.conns,
	       cl.errors, secs, cl.conns / secs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]));
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "connect"))
		return client(argc, argv);
	fprintf(stderr, "usage: nbench serve PORT\n"
		"       nbench connect ADDR PORT SECONDS CONCURRENCY [SRC]\n");
	return 1;
}
