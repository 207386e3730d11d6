//! Benchmarks of every call at its worst case: votes whose deposits each execute (minted to a
//! new account with the fee to the treasury, or refunded as a payment) with the deposit's
//! record full of other validators' votes; signatures that check every signature kept before
//! them; reports that count the most validators and settle.

use crate::{pallet::*, types::*, BenchmarkHelper};
use alloc::{format, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use gridchain_primitives::{
	circles::Circles,
	stellar::{AccountKey, DecoratedSignature, STANDALONE_NETWORK},
};
use sp_core::crypto::KeyTypeId;
use sp_runtime::traits::Hash;

/// The keystore key type of the Stellar keys benchmarks sign with.
const KEY: KeyTypeId = KeyTypeId(*b"xlm!");
const TFT: Balance = 10_000_000;

/// Validator `n`: its account and Stellar key (ed25519, in the keystore).
fn validator<T: Config>(n: u32) -> (T::AccountId, AccountKey) {
	let key = sp_io::crypto::ed25519_generate(KEY, Some(format!("//validator//{n}").into_bytes()));
	(account("validator", n, 0), key.0)
}

/// The bridge run by a circle of `size` validators agreeing at `threshold`, with its vault.
fn bridge<T: Config>(size: u32, threshold: u32) -> Vec<(T::AccountId, AccountKey)> {
	let validators: Vec<_> = (0..size).map(validator::<T>).collect();
	let circle = T::Circles::benchmark_stellar_circle(&validators, threshold);
	BridgeCircle::<T>::put(circle);
	let keys = validators.iter().map(|(_, key)| *key).take(T::MaxSigners::get() as usize);
	put_vault::<T>(keys.collect(), threshold.min(T::MaxSigners::get()) as u8);
	validators
}

/// The vault, with `signers` (at most 20) at `threshold`.
fn put_vault<T: Config>(mut signers: Vec<AccountKey>, threshold: u8) {
	signers.sort();
	// A clock past genesis: payments are fixed with a time bound from it.
	T::BenchmarkHelper::set_time(1_800_000_000);
	let asset = gridchain_primitives::stellar::Asset::new(b"TFT", [0x15; 32]).expect("an asset");
	VaultOf::<T>::put(Vault {
		account: [0x0a; 32],
		network_id: gridchain_primitives::stellar::network_id(STANDALONE_NETWORK),
		asset,
		fee: 100,
		payment_lifetime: 3_600,
		sequence: 1_000,
		signers: VaultSigners::truncate_from(signers),
		threshold,
	});
}

/// A deposit of 10 TFT in transaction `n` to `target`.
fn deposit<T: Config>(n: u32, target: DepositTarget<T::AccountId>) -> DepositVote<T::AccountId> {
	let mut tx_hash = [0u8; 32];
	tx_hash[..4].copy_from_slice(&n.to_le_bytes());
	DepositVote { tx_hash, claim: DepositClaim { sender: [0x5e; 32], target, amount: 10 * TFT } }
}

/// Each deposit's record full of other validators' votes for another claim (they do not
/// agree), so the vote that executes it decodes and clears the largest record.
fn crowd_votes<T: Config>(
	votes: &[DepositVote<T::AccountId>],
	others: &[(T::AccountId, AccountKey)],
) {
	let now = frame_system::Pallet::<T>::block_number();
	for vote in votes {
		let mut other_claim = vote.claim.clone();
		other_claim.amount += 1;
		let digest = T::Hashing::hash_of(&other_claim);
		let crowd: Vec<_> = others
			.iter()
			.take(T::MaxValidators::get().saturating_sub(1) as usize)
			.map(|(account, _)| (account.clone(), digest))
			.collect();
		PendingDeposits::<T>::insert(
			vote.tx_hash,
			PendingDeposit { first_voted: now, votes: BoundedVec::truncate_from(crowd) },
		);
	}
}

/// A withdrawal of 10 TFT by a funded account: payment `id`, to be signed and reported.
fn withdrawal<T: Config>() -> u64 {
	let who: T::AccountId = account("withdrawer", 0, 0);
	T::Currency::set_balance(&who, 1_000 * TFT);
	BridgedSupply::<T>::put(1_000 * TFT);
	let id = NextPaymentId::<T>::get();
	Pallet::<T>::do_withdraw(who, [0xde; 32], 10 * TFT).expect("withdrawn");
	id
}

/// The size and threshold of a circle whose reports fill a payment's record.
fn largest_circle<T: Config>() -> (u32, u32) {
	(T::MaxValidators::get(), T::MaxSigners::get())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_bridge_circle() -> Result<(), BenchmarkError> {
		let validators: Vec<_> = (0..T::MaxSigners::get()).map(validator::<T>).collect();
		let circle = T::Circles::benchmark_stellar_circle(&validators, T::MaxSigners::get());
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, circle);
		assert_eq!(BridgeCircle::<T>::get(), Some(circle));
		Ok(())
	}

	/// `n` votes, each executing a deposit minted to a new account, fee to the treasury.
	#[benchmark]
	fn vote_deposits_minting(n: Linear<1, { T::MaxVotesPerCall::get() }>) {
		let validators = bridge::<T>(T::MaxValidators::get(), 1);
		let votes: Vec<_> = (0..n)
			.map(|i| deposit::<T>(i, DepositTarget::Account(account("depositor", i, 0))))
			.collect();
		crowd_votes::<T>(&votes, &validators[1..]);
		#[extrinsic_call]
		vote_deposits(RawOrigin::Signed(validators[0].0.clone()), votes);
		assert_eq!(ExecutedDeposits::<T>::iter().count() as u32, n);
		assert_eq!(BridgedSupply::<T>::get(), Balance::from(n) * 10 * TFT);
	}

	/// `n` votes, each executing a deposit for an unknown twin: refunded as a payment.
	#[benchmark]
	fn vote_deposits_refunding(n: Linear<1, { T::MaxVotesPerCall::get() }>) {
		let validators = bridge::<T>(T::MaxValidators::get(), 1);
		let votes: Vec<_> =
			(0..n).map(|i| deposit::<T>(i, DepositTarget::Twin(u32::MAX - i))).collect();
		crowd_votes::<T>(&votes, &validators[1..]);
		#[extrinsic_call]
		vote_deposits(RawOrigin::Signed(validators[0].0.clone()), votes);
		assert_eq!(OutgoingPayments::<T>::iter().count() as u32, n);
	}

	#[benchmark]
	fn set_vault() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let passphrase: BoundedVec<u8, _> = BoundedVec::truncate_from(vec![b'p'; 64]);
		let code: BoundedVec<u8, _> = BoundedVec::truncate_from(vec![b'T'; 12]);
		let signers = (0..T::MaxSigners::get()).map(|n| validator::<T>(n).1).collect();
		let signers = VaultSigners::truncate_from(signers);
		let threshold = T::MaxSigners::get() as u8;
		let settings = VaultSettings {
			account: [0x0a; 32],
			network_passphrase: passphrase,
			asset_code: code,
			asset_issuer: [0x15; 32],
			fee: 100,
			payment_lifetime: 3_600,
			sequence: 1_000,
			signers,
			threshold,
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, settings);
		assert!(VaultOf::<T>::exists());
		Ok(())
	}

	#[benchmark]
	fn withdraw() {
		bridge::<T>(T::MaxSigners::get(), T::MaxSigners::get());
		let who: T::AccountId = whitelisted_caller();
		T::Currency::set_balance(&who, 1_000 * TFT);
		BridgedSupply::<T>::put(1_000 * TFT);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), [0xde; 32], 10 * TFT);
		assert_eq!(OutgoingPayments::<T>::iter().count(), 1);
	}

	/// The last signature a payment keeps: every one before it is checked for its signer's
	/// current key, and this one makes the payment ready.
	#[benchmark]
	fn sign_payment() {
		let signers = T::MaxSigners::get();
		let validators = bridge::<T>(signers, signers);
		let id = withdrawal::<T>();
		let mut outgoing = OutgoingPayments::<T>::get(id).expect("the payment");
		for (account, key) in &validators[1..] {
			let signature = sp_io::crypto::ed25519_sign(
				KEY,
				&sp_core::ed25519::Public::from_raw(*key),
				&outgoing.hash,
			)
			.expect("signed");
			outgoing
				.signatures
				.try_push(PaymentSignature {
					signer: account.clone(),
					key: *key,
					signature: DecoratedSignature::new(key, signature.0),
				})
				.expect("within MaxSigners");
		}
		let hash = outgoing.hash;
		OutgoingPayments::<T>::insert(id, outgoing);
		let (signer, key) = validators[0].clone();
		let signature =
			sp_io::crypto::ed25519_sign(KEY, &sp_core::ed25519::Public::from_raw(key), &hash)
				.expect("signed")
				.0;
		#[extrinsic_call]
		_(RawOrigin::Signed(signer), id, signature);
		let signed = OutgoingPayments::<T>::get(id).expect("the payment");
		assert_eq!(signed.signatures.len() as u32, signers);
	}

	/// The report that settles `n` failed withdrawals in order (each minted back): the first
	/// one's threshold is completed by this report, the `n - 1` after it were reported before;
	/// every payment's reports fill its record and are all counted.
	#[benchmark]
	fn report_payment_settling(n: Linear<1, { T::MaxSettledPerReport::get() }>) {
		let (size, threshold) = largest_circle::<T>();
		let validators = bridge::<T>(size, threshold);
		let ids: Vec<u64> = (0..n).map(|_| withdrawal::<T>()).collect();
		for (position, id) in ids.iter().enumerate() {
			// The first lacks the caller's report; the others have the threshold's.
			let agreeing = if position == 0 { threshold - 1 } else { threshold };
			prefill_reports::<T>(*id, &validators, agreeing, PaymentResult::Failed);
		}
		#[extrinsic_call]
		report_payment(RawOrigin::Signed(validators[0].0.clone()), ids[0], PaymentResult::Failed);
		assert_eq!(FirstPendingPayment::<T>::get(), ids[0] + u64::from(n));
	}

	/// The report that fixes an expired payment again after the most other reports.
	#[benchmark]
	fn report_payment_expired() {
		let (size, threshold) = largest_circle::<T>();
		let validators = bridge::<T>(size, threshold);
		let id = withdrawal::<T>();
		let mut outgoing = OutgoingPayments::<T>::get(id).expect("the payment");
		// Expired long ago on the chain's clock.
		outgoing.transaction = outgoing.transaction.refixed(100, 0);
		OutgoingPayments::<T>::insert(id, outgoing);
		prefill_reports::<T>(id, &validators, threshold - 1, PaymentResult::Expired);
		#[extrinsic_call]
		report_payment(RawOrigin::Signed(validators[0].0.clone()), id, PaymentResult::Expired);
		assert!(OutgoingPayments::<T>::get(id).expect("fixed again").reports.is_empty());
	}

	#[benchmark]
	fn prune_deposit_votes() {
		let validators = bridge::<T>(T::MaxValidators::get(), 1);
		let vote = deposit::<T>(0, DepositTarget::Account(account("depositor", 0, 0)));
		crowd_votes::<T>(&[vote.clone()], &validators);
		frame_system::Pallet::<T>::set_block_number(T::VoteLifetime::get() + 1u32.into());
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), vote.tx_hash);
		assert!(!PendingDeposits::<T>::contains_key(vote.tx_hash));
	}

	#[benchmark]
	fn set_payment_fee() -> Result<(), BenchmarkError> {
		put_vault::<T>(vec![[0x5a; 32]], 1);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1_000);
		assert_eq!(VaultOf::<T>::get().map(|vault| vault.fee), Some(1_000));
		Ok(())
	}

	#[benchmark]
	fn retry_refund() -> Result<(), BenchmarkError> {
		let validators = bridge::<T>(T::MaxSigners::get(), 1);
		let vote = deposit::<T>(0, DepositTarget::Twin(u32::MAX));
		Pallet::<T>::do_vote_deposits(validators[0].0.clone(), vec![vote.clone()])
			.map_err(|_| BenchmarkError::Stop("refund queued"))?;
		let outgoing = OutgoingPayments::<T>::take(0).expect("the refund");
		FirstPendingPayment::<T>::put(1);
		QuarantinedRefunds::<T>::insert(0, outgoing);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, [0x77; 32]);
		assert!(OutgoingPayments::<T>::contains_key(1));
		Ok(())
	}

	/// The vault's 20 signers, one of them a member's key (enough for its threshold of 1),
	/// all but that one replaced by the circle's 19 other keys.
	#[benchmark]
	fn update_vault_signers() {
		let signers = T::MaxSigners::get();
		let validators = bridge::<T>(signers, signers);
		let mut vault_keys: Vec<_> =
			(signers + 1..2 * signers).map(|n| validator::<T>(n).1).collect();
		vault_keys.push(validators[0].1);
		put_vault::<T>(vault_keys, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(validators[0].0.clone()));
		let id = VaultSignersChange::<T>::get().expect("queued");
		let outgoing = OutgoingPayments::<T>::get(id).expect("the change");
		let gridchain_primitives::stellar::VaultTransaction::SetSigners(change) =
			outgoing.transaction
		else {
			panic!("a change of signers")
		};
		assert_eq!(change.signers.len() as u32, 2 * (signers - 1));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}

/// Reports by every validator but the first: `agreeing` of `result` (from the second
/// validator on), the rest another result (they do not agree), so the record is full and
/// every entry is counted.
fn prefill_reports<T: Config>(
	id: u64,
	validators: &[(T::AccountId, AccountKey)],
	agreeing: u32,
	result: PaymentResult,
) {
	let other =
		if result == PaymentResult::Paid { PaymentResult::Failed } else { PaymentResult::Paid };
	let mut outgoing = OutgoingPayments::<T>::get(id).expect("the payment");
	for (n, (account, _)) in validators.iter().enumerate().skip(1) {
		let reported = if (n as u32) <= agreeing { result } else { other };
		outgoing.reports.try_push((account.clone(), reported)).expect("within MaxValidators");
	}
	OutgoingPayments::<T>::insert(id, outgoing);
}
