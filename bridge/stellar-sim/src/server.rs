//! Serving the API over TCP with connections that can be closed without an answer, for the
//! `close_connections_next` fault (`POST /sim/faults`).
//!
//! hyper gives a handler no way to close its connection without a response, and a listener
//! that drops streams when it accepts them would miss requests on kept-alive connections
//! (HTTP clients pool them) and could not spare the `/sim/` endpoints. So every accepted
//! stream is a [`ClosableStream`] sharing a switch with a [`ClosableConnection`], which the
//! router receives as its `ConnectInfo`. The fault's middleware (in [`crate::horizon`]) turns
//! the switch for the request it drops: from then on the stream fails every read and write,
//! so not one byte of the response hyper tries to write leaves, hyper gives the connection up
//! and the socket is closed. The client sees the connection closed (or reset) with no HTTP
//! answer, as from a server that drops connections.
//!
//! [`serve`] is the only way to serve the router with this; served otherwise (plain
//! `axum::serve`), the fault answers 500 instead.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::horizon::{router, AppState};

/// Serves the whole API on `listener` until `shutdown` resolves (then lets the open
/// connections finish), with connections the `close_connections_next` fault can close.
pub async fn serve(
	listener: TcpListener,
	state: AppState,
	shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
	let app = router(state).into_make_service_with_connect_info::<ClosableConnection>();
	axum::serve(ClosableListener::new(listener), app).with_graceful_shutdown(shutdown).await
}

/// A TCP listener whose streams are [`ClosableStream`]s.
#[derive(Debug)]
pub struct ClosableListener {
	listener: TcpListener,
}

impl ClosableListener {
	pub fn new(listener: TcpListener) -> Self {
		ClosableListener { listener }
	}
}

impl Listener for ClosableListener {
	type Io = ClosableStream;
	type Addr = SocketAddr;

	async fn accept(&mut self) -> (Self::Io, Self::Addr) {
		// axum's own accept loop: retries, and waits a little when out of file descriptors.
		let (stream, remote_address) = Listener::accept(&mut self.listener).await;
		(ClosableStream::new(stream), remote_address)
	}

	fn local_addr(&self) -> io::Result<Self::Addr> {
		self.listener.local_addr()
	}
}

/// A TCP stream that fails every read and write once its connection is closed through a
/// [`ClosableConnection`].
#[derive(Debug)]
pub struct ClosableStream {
	stream: TcpStream,
	closed: Arc<AtomicBool>,
}

impl ClosableStream {
	fn new(stream: TcpStream) -> Self {
		ClosableStream { stream, closed: Arc::new(AtomicBool::new(false)) }
	}

	/// `Err` once the connection was closed by a fault.
	fn check_open(&self) -> io::Result<()> {
		if self.closed.load(Ordering::SeqCst) {
			Err(io::Error::new(
				io::ErrorKind::ConnectionAborted,
				"connection closed by the simulator's close_connections_next fault",
			))
		} else {
			Ok(())
		}
	}
}

impl AsyncRead for ClosableStream {
	fn poll_read(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &mut ReadBuf<'_>,
	) -> Poll<io::Result<()>> {
		let this = self.get_mut();
		if let Err(error) = this.check_open() {
			return Poll::Ready(Err(error));
		}
		Pin::new(&mut this.stream).poll_read(cx, buf)
	}
}

impl AsyncWrite for ClosableStream {
	fn poll_write(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		if let Err(error) = this.check_open() {
			return Poll::Ready(Err(error));
		}
		Pin::new(&mut this.stream).poll_write(cx, buf)
	}

	fn poll_write_vectored(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		bufs: &[io::IoSlice<'_>],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		if let Err(error) = this.check_open() {
			return Poll::Ready(Err(error));
		}
		Pin::new(&mut this.stream).poll_write_vectored(cx, bufs)
	}

	fn is_write_vectored(&self) -> bool {
		self.stream.is_write_vectored()
	}

	fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let this = self.get_mut();
		if let Err(error) = this.check_open() {
			return Poll::Ready(Err(error));
		}
		Pin::new(&mut this.stream).poll_flush(cx)
	}

	fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let this = self.get_mut();
		if let Err(error) = this.check_open() {
			return Poll::Ready(Err(error));
		}
		Pin::new(&mut this.stream).poll_shutdown(cx)
	}
}

/// The handle of one connection, in each of its requests' extensions as
/// `ConnectInfo<ClosableConnection>`.
#[derive(Clone, Debug)]
pub struct ClosableConnection {
	closed: Arc<AtomicBool>,
	remote_address: SocketAddr,
}

impl ClosableConnection {
	/// Closes the connection without an answer: its stream fails every read and write from
	/// now on, so hyper sends nothing more and drops it.
	pub fn close(&self) {
		self.closed.store(true, Ordering::SeqCst);
	}

	pub fn is_closed(&self) -> bool {
		self.closed.load(Ordering::SeqCst)
	}

	pub fn remote_address(&self) -> SocketAddr {
		self.remote_address
	}
}

impl Connected<IncomingStream<'_, ClosableListener>> for ClosableConnection {
	fn connect_info(stream: IncomingStream<'_, ClosableListener>) -> Self {
		ClosableConnection {
			closed: Arc::clone(&stream.io().closed),
			remote_address: *stream.remote_addr(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

	/// A connected pair: the server's end as a [`ClosableStream`] with its handle, and the
	/// client's end.
	async fn connected_pair() -> (ClosableStream, ClosableConnection, TcpStream) {
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
		let address = listener.local_addr().expect("address");
		let mut listener = ClosableListener::new(listener);
		let client = tokio::spawn(TcpStream::connect(address));
		let (server_end, remote_address) = Listener::accept(&mut listener).await;
		let client = client.await.expect("joined").expect("connected");
		let connection =
			ClosableConnection { closed: Arc::clone(&server_end.closed), remote_address };
		(server_end, connection, client)
	}

	#[tokio::test]
	async fn a_closed_stream_sends_nothing_and_reads_nothing() {
		let (mut server_end, connection, mut client) = connected_pair().await;
		assert_eq!(connection.remote_address(), client.local_addr().expect("client address"));
		server_end.write_all(b"before").await.expect("written while open");
		let mut received = [0u8; 6];
		client.read_exact(&mut received).await.expect("read");
		assert_eq!(&received, b"before");

		client.write_all(b"request").await.expect("sent");
		connection.close();
		assert!(connection.is_closed());
		let write = server_end.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
		assert_eq!(write.map_err(|error| error.kind()), Err(io::ErrorKind::ConnectionAborted));
		let mut buffer = [0u8; 16];
		let read = server_end.read(&mut buffer).await;
		assert_eq!(read.map_err(|error| error.kind()), Err(io::ErrorKind::ConnectionAborted));
		drop(server_end);
		// The client sees the connection end (closed or reset) without a byte.
		let mut rest = Vec::new();
		match client.read_to_end(&mut rest).await {
			Ok(_) => assert!(rest.is_empty(), "nothing after the close: {rest:?}"),
			Err(error) => assert_eq!(error.kind(), io::ErrorKind::ConnectionReset),
		}
	}
}
