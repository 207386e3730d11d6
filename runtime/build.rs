fn main() {
	#[cfg(feature = "std")]
	{
		// The target dir lives outside the checkout, so the wasm build cannot find this
		// workspace's Cargo.lock by walking up from it, and would resolve every dependency anew.
		// Point it at the workspace, so the wasm runtime is built with the locked versions. (Set
		// here, not globally: other crates' wasm builds must not see it.)
		// Read at run time, not with env!(): cargo reuses a compiled build script across
		// checkouts at different paths, and a path baked in at compile time would be another
		// checkout's.
		if let (None, Some(manifest_dir)) =
			(std::env::var_os("WASM_BUILD_WORKSPACE_HINT"), std::env::var_os("CARGO_MANIFEST_DIR"))
		{
			let workspace = std::path::Path::new(&manifest_dir).join("..");
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		}
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
