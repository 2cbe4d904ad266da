//! Where a sequence can be masked: the model input is `[CLS] t.. [SEP] [PAD]..`, and only
//! the tokens may be hidden.

use crate::tokenize::vocab::{CLS_ID, PAD_ID, SEP_ID};

/// Whether a token may be masked: anything but [CLS], [SEP] and [PAD] ([UNK] and [MASK] may).
#[inline]
pub fn is_maskable(id: u32) -> bool {
    !(id == PAD_ID || id == CLS_ID || id == SEP_ID)
}

/// The maskable range of one input.
///
/// Position 0 is the [CLS] slot and is never masked, whatever it holds, so spans clip to
/// [1, end]. Positions inside [1, end] that hold [CLS], [SEP] or [PAD] (a sequence pair, a
/// stray pad) are "holes": never centres, never masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Last maskable position (>= 1), or 0 when nothing is maskable.
    pub end: usize,
    /// Maskable positions in 1..=end.
    pub maskable: usize,
}

impl Layout {
    /// Scans the ids once. The count is written branch-free so it vectorises.
    #[inline]
    pub fn of(ids: &[u32]) -> Layout {
        let end = match ids.iter().skip(1).rposition(|&id| is_maskable(id)) {
            Some(i) => i + 1,
            None => {
                return Layout {
                    end: 0,
                    maskable: 0,
                }
            }
        };
        // Not maskable: 0, 2 or 3, i.e. below 4 and not 1. Bitwise so that it vectorises.
        let holes: u32 = ids[1..=end]
            .iter()
            .map(|&id| u32::from((id < 4) & (id != 1)))
            .sum();
        Layout {
            end,
            maskable: end - holes as usize,
        }
    }

    /// Whether some position in [1, end] cannot be masked.
    #[inline]
    pub fn has_holes(&self) -> bool {
        self.maskable < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_of_padded_input_and_pairs() {
        // [CLS] a b c [SEP] [PAD] [PAD]
        assert_eq!(
            Layout::of(&[2, 9, 10, 11, 3, 0, 0]),
            Layout {
                end: 3,
                maskable: 3
            }
        );
        // [CLS] a [SEP] b [SEP]: the middle [SEP] is a hole.
        let pair = Layout::of(&[2, 9, 3, 10, 3]);
        assert_eq!(
            pair,
            Layout {
                end: 3,
                maskable: 2
            }
        );
        assert!(pair.has_holes());
        // [UNK] and [MASK] are maskable; nothing after [CLS] means end 0.
        assert_eq!(
            Layout::of(&[2, 1, 4, 3]),
            Layout {
                end: 2,
                maskable: 2
            }
        );
        assert_eq!(
            Layout::of(&[2, 3, 0]),
            Layout {
                end: 0,
                maskable: 0
            }
        );
        assert_eq!(
            Layout::of(&[9]),
            Layout {
                end: 0,
                maskable: 0
            }
        );
        assert_eq!(
            Layout::of(&[]),
            Layout {
                end: 0,
                maskable: 0
            }
        );
    }
}
