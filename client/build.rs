//! The generated client is only as new as `metadata.scale`: rebuild when it changes (the
//! `subxt` macro reads the file, which cargo does not track by itself).

fn main() {
	println!("cargo:rerun-if-changed=metadata.scale");
}
