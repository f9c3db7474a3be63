-- AlterEnum
ALTER TYPE "NotificationType" ADD VALUE 'ATTACHED';
