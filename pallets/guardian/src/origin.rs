//! Origins that give power to circles: [`EnsureCircle`] (any circle, its id as the success
//! value) and [`EnsureRole`] (the circle that holds a role).

use crate::{pallet::*, types::*};
use core::marker::PhantomData;
use frame_support::traits::{EnsureOrigin, Get};

/// Succeeds for any circle's origin, with the circle's id.
pub struct EnsureCircle<T>(PhantomData<T>);

impl<T: Config, O> EnsureOrigin<O> for EnsureCircle<T>
where
	O: Into<Result<Origin, O>> + From<Origin>,
{
	type Success = CircleId;

	fn try_origin(origin: O) -> Result<CircleId, O> {
		origin.into().map(|Origin::Circle(circle_id)| circle_id)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(Origin::Circle(crate::benchmarking::CIRCLE_ORIGIN_FOR_BENCHMARKS)))
	}
}

/// Succeeds for the origin of the circle that holds the role `R`, with the circle's id.
pub struct EnsureRole<T, R>(PhantomData<(T, R)>);

impl<T: Config, R: Get<Role>, O> EnsureOrigin<O> for EnsureRole<T, R>
where
	O: Into<Result<Origin, O>> + From<Origin>,
{
	type Success = CircleId;

	fn try_origin(origin: O) -> Result<CircleId, O> {
		match origin.into() {
			Ok(Origin::Circle(circle_id)) if Roles::<T>::get(R::get()) == Some(circle_id) => {
				Ok(circle_id)
			},
			Ok(other) => Err(O::from(other)),
			Err(origin) => Err(origin),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		let circle_id = crate::benchmarking::circle_with_role::<T>(R::get());
		Ok(O::from(Origin::Circle(circle_id)))
	}
}
