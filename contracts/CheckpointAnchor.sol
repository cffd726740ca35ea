// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title CheckpointAnchor: transparency-log checkpoints anchored on an EVM chain
/// @notice Records, per log origin, the (tree size, root hash) of C2SP tlog-checkpoint heads.
///         The key of a log is the SHA-256 hash of its origin line, computed by the client
///         (no precompile is needed, so the contract runs on any EVM chain). Sizes only grow:
///         a checkpoint whose tree size is not larger than the last anchored one is refused,
///         so one anchor per (origin, size) exists and a replayed transaction changes nothing.
///         Only accounts that the owner authorised may post.
contract CheckpointAnchor {
    struct Head {
        uint64 treeSize; // entries in the tree [count]
        bytes32 rootHash; // RFC 9162 root hash (SHA-256) of the first treeSize entries
    }

    address public owner;
    mapping(address => bool) public isPoster;
    mapping(bytes32 => Head) private heads;
    mapping(bytes32 => uint256) public anchorCount;

    /// One event per accepted checkpoint; verifiers read these from the chain's logs.
    event Anchored(bytes32 indexed originKey, uint64 treeSize, bytes32 rootHash, address indexed poster);
    event PosterAdded(address indexed account);
    event PosterRemoved(address indexed account);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error NotPoster(address caller);
    error SizeNotLarger(bytes32 originKey, uint64 treeSize, uint64 lastTreeSize);
    error ZeroAddress();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// The deployer owns the contract and may post.
    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        isPoster[msg.sender] = true;
        emit PosterAdded(msg.sender);
    }

    /// Anchor the checkpoint (treeSize, rootHash) of the log whose origin hashes to originKey.
    function anchor(bytes32 originKey, uint64 treeSize, bytes32 rootHash) external {
        if (!isPoster[msg.sender]) revert NotPoster(msg.sender);
        Head storage head = heads[originKey];
        if (treeSize <= head.treeSize) revert SizeNotLarger(originKey, treeSize, head.treeSize);
        head.treeSize = treeSize;
        head.rootHash = rootHash;
        anchorCount[originKey] += 1;
        emit Anchored(originKey, treeSize, rootHash, msg.sender);
    }

    /// The last anchored checkpoint of a log: (0, 0x0) when none.
    function latest(bytes32 originKey) external view returns (uint64 treeSize, bytes32 rootHash) {
        Head storage head = heads[originKey];
        return (head.treeSize, head.rootHash);
    }

    function addPoster(address account) external onlyOwner {
        if (account == address(0)) revert ZeroAddress();
        if (!isPoster[account]) {
            isPoster[account] = true;
            emit PosterAdded(account);
        }
    }

    function removePoster(address account) external onlyOwner {
        if (isPoster[account]) {
            isPoster[account] = false;
            emit PosterRemoved(account);
        }
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
