fn main() {
	#[cfg(feature = "std")]
	{
		// The target dir lives outside the checkout, so the wasm build cannot find this
		// workspace's Cargo.lock by walking up from it, and would resolve every dependency anew.
		// Point it at the workspace, so the wasm runtime is built with the locked versions. (Set
		// here, not globally: other crates' wasm builds must not see it.)
		if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
			let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		}
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
