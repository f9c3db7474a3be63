-- AlterEnum
ALTER TYPE "AmendmentStatus" ADD VALUE 'LAPSED';
